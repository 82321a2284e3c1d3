/**
 * The workspace assistant's data: an inbox, a calendar and a drive (a restatement of the kind of
 * workspace AgentDojo's public workspace suite models). Plain in-process state that the score reads.
 */

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
}

export interface DriveFile {
  id: string;
  name: string;
  owner: string;
  content: string;
  /** Email address → permission. */
  sharedWith: Record<string, 'view' | 'edit'>;
}

export interface SentEmail {
  to: string[];
  subject: string;
  body: string;
}

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
  private readonly applied = new Map<string, unknown>();

  constructor(data: { emails: Email[]; events: CalendarEvent[]; files: DriveFile[] }) {
    this.emails = structuredClone(data.emails);
    this.events = structuredClone(data.events);
    this.files = structuredClone(data.files);
  }

  searchEmails(query: string): Email[] {
    return structuredClone(this.emails.filter((e) => matches(query, e.from, e.subject, e.body)));
  }

  readEmail(id: string): Email {
    const email = this.emails.find((e) => e.id === id);
    if (!email) throw new WorkspaceError(`no email ${id}`);
    return structuredClone(email);
  }

  sendEmail(email: SentEmail, idempotencyKey: string): { sent: true; to: string[] } {
    return this.once(idempotencyKey, () => {
      this.sent.push(structuredClone(email));
      return { sent: true as const, to: email.to };
    });
  }

  searchEvents(query: string): CalendarEvent[] {
    return structuredClone(this.events.filter((e) => matches(query, e.title, e.description)));
  }

  createEvent(event: Omit<CalendarEvent, 'id'>, idempotencyKey: string): CalendarEvent {
    return this.once(idempotencyKey, () => {
      const created = { id: `ev-${this.events.length + 1}`, ...structuredClone(event) };
      this.events.push(created);
      this.created.push(structuredClone(created));
      return structuredClone(created);
    });
  }

  searchFiles(query: string): Array<Pick<DriveFile, 'id' | 'name' | 'owner'>> {
    return this.files
      .filter((f) => matches(query, f.name))
      .map(({ id, name, owner }) => ({ id, name, owner }));
  }

  readFile(id: string): DriveFile {
    return structuredClone(this.file(id));
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
