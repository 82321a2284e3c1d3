/**
 * The workspace assistant's data: an inbox, a calendar, a drive and an address book (a restatement
 * of the kind of workspace AgentDojo's public workspace suite models). Plain in-process state that
 * the score reads.
 */
import { OWNER } from './seed.ts';

export interface Email {
  id: string;
  /** Set by the mail system. */
  from: string;
  to: string[];
  subject: string;
  body: string;
}

export interface CalendarEvent {
  id: string;
  title: string;
  start: string;
  end: string;
  participants: string[];
  description: string;
  /** Where it takes place, as its organiser wrote it. */
  location?: string;
}

export interface DriveFile {
  id: string;
  name: string;
  owner: string;
  content: string;
  /** Email address → permission. */
  sharedWith: Record<string, 'view' | 'edit'>;
}

/** An entry of Emma's address book (she keeps it herself). */
export interface Contact {
  id: string;
  name: string;
  email: string;
}

export interface SentEmail {
  to: string[];
  subject: string;
  body: string;
}

/** A file as the drive lists it: its metadata and size, not its content. */
export interface FileInfo extends Pick<DriveFile, 'id' | 'name' | 'owner' | 'sharedWith'> {
  size: number;
}

/** The id the drive gives the first file a run creates (the policy's facts name these ids). */
export const FIRST_NEW_FILE = 20;

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

function matches(query: string, ...texts: string[]): boolean {
  const q = query.toLowerCase();
  return texts.some((text) => text.toLowerCase().includes(q));
}

/** One run's workspace. Writes are applied once per idempotency key, like the support CRM's. */
export class Workspace {
  readonly emails: Email[];
  readonly events: CalendarEvent[];
  readonly files: DriveFile[];
  readonly sent: SentEmail[] = [];
  /** Events this run created (the seeded ones are in `events` too). */
  readonly created: CalendarEvent[] = [];
  readonly deleted: string[] = [];
  /** Files this run created (they are in `files` too). */
  readonly createdFiles: DriveFile[] = [];
  /** The ids of every email, event, file and contact a read or search of this run returned. */
  readonly seen = new Set<string>();
  readonly contacts: Contact[];
  private readonly applied = new Map<string, unknown>();

  constructor(data: { emails: Email[]; events: CalendarEvent[]; files: DriveFile[]; contacts: Contact[] }) {
    this.emails = structuredClone(data.emails);
    this.events = structuredClone(data.events);
    this.files = structuredClone(data.files);
    this.contacts = structuredClone(data.contacts);
  }

  searchEmails(query: string): Email[] {
    return this.saw(this.emails.filter((e) => matches(query, e.from, e.subject, e.body)));
  }

  readEmail(id: string): Email {
    const email = this.emails.find((e) => e.id === id);
    if (!email) throw new WorkspaceError(`no email ${id}`);
    return this.saw([email])[0] as Email;
  }

  searchContacts(query: string): Contact[] {
    return this.saw(this.contacts.filter((c) => matches(query, c.name, c.email)));
  }

  sendEmail(email: SentEmail, idempotencyKey: string): { sent: true; to: string[] } {
    return this.once(idempotencyKey, () => {
      this.sent.push(structuredClone(email));
      return { sent: true as const, to: email.to };
    });
  }

  searchEvents(query: string): CalendarEvent[] {
    return this.saw(this.events.filter((e) => matches(query, e.title, e.description)));
  }

  /** The events that start on a day (`2026-05-15`), in start order. */
  eventsOn(day: string): CalendarEvent[] {
    return this.saw(
      this.events.filter((e) => e.start.startsWith(`${day}T`)).sort((a, b) => a.start.localeCompare(b.start)),
    );
  }

  rescheduleEvent(id: string, start: string, end: string, idempotencyKey: string): CalendarEvent {
    return this.once(idempotencyKey, () => {
      const event = this.event(id);
      event.start = start;
      event.end = end;
      return structuredClone(event);
    });
  }

  addParticipants(id: string, participants: string[], idempotencyKey: string): CalendarEvent {
    return this.once(idempotencyKey, () => {
      const event = this.event(id);
      for (const p of participants) if (!event.participants.includes(p)) event.participants.push(p);
      return structuredClone(event);
    });
  }

  createEvent(event: Omit<CalendarEvent, 'id'>, idempotencyKey: string): CalendarEvent {
    return this.once(idempotencyKey, () => {
      const created = { id: `ev-${100 + this.created.length}`, ...structuredClone(event) };
      this.events.push(created);
      this.created.push(structuredClone(created));
      return structuredClone(created);
    });
  }

  /** Files whose name matches (every file for `''`): the drive's metadata, without content. */
  searchFiles(query: string): FileInfo[] {
    return this.saw(this.files.filter((f) => matches(query, f.name))).map(
      ({ id, name, owner, content, sharedWith }) => ({ id, name, owner, size: content.length, sharedWith }),
    );
  }

  readFile(id: string): DriveFile {
    return this.saw([this.file(id)])[0] as DriveFile;
  }

  /** A new file of Emma's; the drive numbers new files from f-20. */
  createFile(name: string, content: string, idempotencyKey: string): DriveFile {
    return this.once(idempotencyKey, () => {
      const file: DriveFile = {
        id: `f-${FIRST_NEW_FILE + this.createdFiles.length}`,
        name,
        owner: OWNER,
        content,
        sharedWith: {},
      };
      this.files.push(file);
      this.createdFiles.push(structuredClone(file));
      return structuredClone(file);
    });
  }

  appendToFile(id: string, text: string, idempotencyKey: string): DriveFile {
    return this.once(idempotencyKey, () => {
      const file = this.file(id);
      file.content = `${file.content}\n${text}`;
      return structuredClone(file);
    });
  }

  shareFile(id: string, email: string, permission: 'view' | 'edit', idempotencyKey: string) {
    return this.once(idempotencyKey, () => {
      const file = this.file(id);
      file.sharedWith[email] = permission;
      return { fileId: id, sharedWith: structuredClone(file.sharedWith) };
    });
  }

  deleteFile(id: string, idempotencyKey: string): { deleted: string } {
    return this.once(idempotencyKey, () => {
      const index = this.files.findIndex((f) => f.id === id);
      if (index < 0) throw new WorkspaceError(`no file ${id}`);
      this.files.splice(index, 1);
      this.deleted.push(id);
      return { deleted: id };
    });
  }

  private event(id: string): CalendarEvent {
    const event = this.events.find((e) => e.id === id);
    if (!event) throw new WorkspaceError(`no event ${id}`);
    return event;
  }

  /** Copies of what a read returns, noting their ids as seen by the run. */
  private saw<T extends { id: string }>(items: T[]): T[] {
    for (const item of items) this.seen.add(item.id);
    return structuredClone(items);
  }

  private file(id: string): DriveFile {
    const file = this.files.find((f) => f.id === id);
    if (!file) throw new WorkspaceError(`no file ${id}`);
    return file;
  }

  private once<T>(idempotencyKey: string, write: () => T): T {
    if (this.applied.has(idempotencyKey)) return structuredClone(this.applied.get(idempotencyKey)) as T;
    const result = write();
    this.applied.set(idempotencyKey, structuredClone(result));
    return result;
  }
}
