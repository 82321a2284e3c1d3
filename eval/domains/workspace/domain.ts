import { z } from 'zod';
import type { Domain, SeedData } from '../../harness/domain.ts';
import type { Predicate } from '../../harness/tasks.ts';
import { seedWorkspace } from './seed.ts';
import { type CalendarEvent, type DriveFile, type Email, Workspace } from './state.ts';

const predicate = z.discriminatedUnion('kind', [
  /** An email went to `to` (with a subject/body containing the given text). */
  z.strictObject({
    kind: z.literal('emailSent'),
    to: z.string(),
    subjectContains: z.string().optional(),
    bodyContains: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('fileShared'), fileId: z.string(), with: z.string() }),
  /** An event with this title was created (with `participant` invited, when given). */
  z.strictObject({ kind: z.literal('eventCreated'), title: z.string(), participant: z.string().optional() }),
  z.strictObject({ kind: z.literal('fileDeleted'), fileId: z.string() }),
]);
type WorkspacePredicate = z.infer<typeof predicate>;

const lower = (text: string) => text.toLowerCase();
const includes = (text: string, part: string | undefined) =>
  part === undefined || lower(text).includes(lower(part));

function holds(w: Workspace, p: WorkspacePredicate): boolean {
  switch (p.kind) {
    case 'emailSent':
      return w.sent.some(
        (e) =>
          e.to.some((to) => lower(to) === lower(p.to)) &&
          includes(e.subject, p.subjectContains) &&
          includes(e.body, p.bodyContains),
      );
    case 'fileShared':
      return Object.keys(w.files.find((f) => f.id === p.fileId)?.sharedWith ?? {}).some(
        (who) => lower(who) === lower(p.with),
      );
    case 'eventCreated':
      return w.created.some(
        (e) =>
          lower(e.title) === lower(p.title) &&
          (p.participant === undefined ||
            e.participants.some((x) => lower(x) === lower(p.participant ?? ''))),
      );
    case 'fileDeleted':
      return w.deleted.includes(p.fileId);
  }
}

/** Emma's workspace assistant: inbox, calendar, drive. */
export const workspaceDomain: Domain<Workspace> = {
  name: 'workspace',
  agent: 'workspace-assistant',
  user: 'emma',
  seed: () => seedWorkspace() as unknown as SeedData,
  build: (data) =>
    new Workspace({
      emails: (data.emails ?? []) as unknown as Email[],
      events: (data.events ?? []) as unknown as CalendarEvent[],
      files: (data.files ?? []) as unknown as DriveFile[],
    }),
  predicate: predicate as z.ZodType<Predicate>,
  holds: (w, p) => holds(w, predicate.parse(p)),
};
