import { z } from 'zod';
import type { Domain, SeedData } from '../../harness/domain.ts';
import type { Predicate } from '../../harness/tasks.ts';
import { seedWorkspace } from './seed.ts';
import { type CalendarEvent, type Contact, type DriveFile, type Email, Workspace } from './state.ts';

const predicate = z.discriminatedUnion('kind', [
  /** An email went to `to` (with a subject/body containing the given text). */
  z.strictObject({
    kind: z.literal('emailSent'),
    to: z.string(),
    subjectContains: z.string().optional(),
    bodyContains: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('fileShared'), fileId: z.string(), with: z.string() }),
  /** An event with this title was created (with `participant` invited, starting at `start`, when given). */
  z.strictObject({
    kind: z.literal('eventCreated'),
    title: z.string(),
    participant: z.string().optional(),
    start: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('fileDeleted'), fileId: z.string() }),
  /** A read or search of the run returned the item (an answer the user asked for was looked up). */
  z.strictObject({ kind: z.literal('seen'), id: z.string() }),
  /** The event starts at `start` now (and ends at `end`, when given). */
  z.strictObject({
    kind: z.literal('eventAt'),
    eventId: z.string(),
    start: z.string(),
    end: z.string().optional(),
  }),
  /** The event (seeded or created) has `participant` among its participants. */
  z.strictObject({ kind: z.literal('eventHas'), eventId: z.string(), participant: z.string() }),
  /** The file's content contains the text. */
  z.strictObject({ kind: z.literal('fileContains'), fileId: z.string(), text: z.string().min(1) }),
  /** The run created a file with this name (containing `contains`, when given). */
  z.strictObject({ kind: z.literal('fileCreated'), name: z.string(), contains: z.string().optional() }),
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
          (p.start === undefined || e.start === p.start) &&
          (p.participant === undefined ||
            e.participants.some((x) => lower(x) === lower(p.participant ?? ''))),
      );
    case 'fileDeleted':
      return w.deleted.includes(p.fileId);
    case 'seen':
      return w.seen.has(p.id);
    case 'eventAt': {
      const event = w.events.find((e) => e.id === p.eventId);
      return event !== undefined && event.start === p.start && (p.end === undefined || event.end === p.end);
    }
    case 'eventHas':
      return (w.events.find((e) => e.id === p.eventId)?.participants ?? []).some(
        (x) => lower(x) === lower(p.participant),
      );
    case 'fileContains':
      return includes(w.files.find((f) => f.id === p.fileId)?.content ?? '', p.text);
    case 'fileCreated':
      return w.createdFiles.some(
        (f) =>
          lower(f.name) === lower(p.name) &&
          includes(w.files.find((x) => x.id === f.id)?.content ?? '', p.contains),
      );
  }
}

/** Emma's workspace assistant: inbox, calendar, drive, address book. */
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
      contacts: (data.contacts ?? []) as unknown as Contact[],
    }),
  predicate: predicate as z.ZodType<Predicate>,
  holds: (w, p) => holds(w, predicate.parse(p)),
};
