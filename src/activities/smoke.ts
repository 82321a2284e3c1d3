import { activityInfo } from '@temporalio/activity';

export interface SmokeActivities {
  greet(name: string): Promise<string>;
}

export const smokeActivities: SmokeActivities = {
  async greet(name) {
    return `hello ${name}, from activity attempt ${activityInfo().attempt}`;
  },
};
