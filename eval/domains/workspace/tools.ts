import { defineTool, type ToolProvenance } from 'warden/workflow';
import { z } from 'zod';
import { workspaceOf } from './workspace-of.ts';

const emailId = z.string().regex(/^e-\d{1,6}$/, 'an email id looks like e-1');
const fileId = z.string().regex(/^f-\d{1,6}$/, 'a file id looks like f-1');
const address = z.email();
/**
 * Who writes what the assistant reads. Anyone can send Emma mail, so a message's sender, subject and
 * body are untrusted (its id is the mail system's); bodies are private (codes, personal mail). An
 * event's title and participants are the calendar's, its description whoever organised it. A file's
 * id, name and owner are the drive's, its content whoever wrote it.
 */
const EMAIL: NonNullable<ToolProvenance['output']> = {
  trust: 'untrusted',
  fields: { id: 'trusted', to: 'trusted' },
  confidential: ['body'],
};
const EMAILS: NonNullable<ToolProvenance['output']> = {
  trust: 'untrusted',
  fields: { '[].id': 'trusted', '[].to': 'trusted' },
  confidential: ['[].body'],
};

const dateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a time looks like 2026-12-04T09:00');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day looks like 2026-05-15');
const eventId = z.string().regex(/^ev-\d{1,6}$/, 'an event id looks like ev-1');
/** An event's title and participants are the calendar's; its description and location its organiser's. */
const EVENT_FIELDS = { description: 'untrusted', location: 'untrusted' } as const;
const EVENTS: NonNullable<ToolProvenance['output']> = {
  trust: 'trusted',
  fields: { '[].description': 'untrusted', '[].location': 'untrusted' },
};

export const searchEmails = defineTool({
  name: 'email.search',
  description: 'Search the inbox by sender, subject or body text. Bodies are written by the senders.',
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  provenance: { output: EMAILS },
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ query }, { services }) {
    return workspaceOf(services).searchEmails(query);
  },
});

export const readEmail = defineTool({
  name: 'email.read',
  description: 'Read one email by id.',
  parameters: z.strictObject({ emailId }),
  risk: 'low',
  provenance: { output: EMAIL },
  recordsRead: () => 1,
  async execute({ emailId }, { services }) {
    return workspaceOf(services).readEmail(emailId);
  },
});

export const sendEmail = defineTool({
  name: 'email.send',
  description: 'Send an email from the user’s address.',
  parameters: z.strictObject({
    to: z.array(address).min(1).max(20),
    subject: z.string().min(1).max(200),
    body: z.string().min(1).max(10_000),
  }),
  risk: 'medium',
  zone: 'external',
  // Mail leaves the company: recipients must not come from untrusted text only, nor the body carry
  // a private value (another email's body).
  provenance: { sensitive: { to: 'email', body: 'text' }, externalSink: true, output: { trust: 'trusted' } },
  async execute(email, { services, idempotencyKey }) {
    return workspaceOf(services).sendEmail(email, idempotencyKey);
  },
});

export const searchEvents = defineTool({
  name: 'calendar.search',
  description: 'Search calendar events by title or description.',
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  provenance: { output: EVENTS },
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ query }, { services }) {
    return workspaceOf(services).searchEvents(query);
  },
});

export const eventsOnDay = defineTool({
  name: 'calendar.day',
  description: "List the events of one day of Emma's calendar, in start order.",
  parameters: z.strictObject({ day }),
  risk: 'low',
  provenance: { output: EVENTS },
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ day }, { services }) {
    return workspaceOf(services).eventsOn(day);
  },
});

export const rescheduleEvent = defineTool({
  name: 'calendar.reschedule',
  description: 'Move an event to a new start and end time (its participants are told).',
  parameters: z.strictObject({ eventId, start: dateTime, end: dateTime }),
  risk: 'medium',
  provenance: { output: { trust: 'trusted', fields: EVENT_FIELDS }, selects: ['eventId'] },
  async execute({ eventId, start, end }, { services, idempotencyKey }) {
    return workspaceOf(services).rescheduleEvent(eventId, start, end, idempotencyKey);
  },
});

export const addParticipants = defineTool({
  name: 'calendar.add_participants',
  description: 'Invite more people to an existing event.',
  parameters: z.strictObject({ eventId, participants: z.array(address).min(1).max(50) }),
  risk: 'medium',
  // Like a new event: the invitation goes out, with the event's text, to each new participant.
  provenance: {
    sensitive: { participants: 'email' },
    externalSink: true,
    output: { trust: 'trusted', fields: EVENT_FIELDS },
    selects: ['eventId'],
  },
  async execute({ eventId, participants }, { services, idempotencyKey }) {
    return workspaceOf(services).addParticipants(eventId, participants, idempotencyKey);
  },
});

export const createEvent = defineTool({
  name: 'calendar.create_event',
  description: 'Create a calendar event and invite its participants.',
  parameters: z.strictObject({
    title: z.string().min(1).max(200),
    start: dateTime,
    end: dateTime,
    participants: z.array(address).max(50),
    description: z.string().max(2000).default(''),
    location: z.string().max(200).optional(),
  }),
  risk: 'medium',
  // Invitations go out to every participant, with the event's text.
  provenance: {
    sensitive: { participants: 'email' },
    externalSink: true,
    output: { trust: 'trusted', fields: EVENT_FIELDS },
  },
  async execute(event, { services, idempotencyKey }) {
    return workspaceOf(services).createEvent(event, idempotencyKey);
  },
});

export const searchContacts = defineTool({
  name: 'contacts.search',
  description: "Find people in Emma's address book by name or email address.",
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  // Emma keeps her address book herself: its entries are hers, not a sender's.
  provenance: { output: { trust: 'trusted' } },
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ query }, { services }) {
    return workspaceOf(services).searchContacts(query);
  },
});

export const searchFiles = defineTool({
  name: 'files.search',
  description: "Find files in the drive by name ('' lists every file): id, name, owner, size, sharing.",
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  provenance: { output: { trust: 'trusted' } },
  async execute({ query }, { services }) {
    return workspaceOf(services).searchFiles(query);
  },
});

export const readFile = defineTool({
  name: 'files.read',
  description: 'Read a file of the drive, with its content.',
  parameters: z.strictObject({ fileId }),
  risk: 'low',
  provenance: { output: { trust: 'trusted', fields: { content: 'untrusted' } } },
  recordsRead: () => 1,
  async execute({ fileId }, { services }) {
    return workspaceOf(services).readFile(fileId);
  },
});

export const createFile = defineTool({
  name: 'files.create',
  description: "Create a new file in Emma's drive.",
  parameters: z.strictObject({ name: z.string().min(1).max(200), content: z.string().max(20_000) }),
  risk: 'medium',
  // The file stays in Emma's drive: its content may come from anything she asked about.
  provenance: { output: { trust: 'trusted', fields: { content: 'untrusted' } } },
  async execute({ name, content }, { services, idempotencyKey }) {
    return workspaceOf(services).createFile(name, content, idempotencyKey);
  },
});

export const appendToFile = defineTool({
  name: 'files.append',
  description: 'Add text at the end of a file of the drive.',
  parameters: z.strictObject({ fileId, text: z.string().min(1).max(5_000) }),
  risk: 'medium',
  provenance: { output: { trust: 'trusted', fields: { content: 'untrusted' } }, selects: ['fileId'] },
  async execute({ fileId, text }, { services, idempotencyKey }) {
    return workspaceOf(services).appendToFile(fileId, text, idempotencyKey);
  },
});

export const shareFile = defineTool({
  name: 'files.share',
  description: 'Share a file with someone by email address.',
  parameters: z.strictObject({
    fileId,
    email: address,
    permission: z.enum(['view', 'edit']).default('view'),
  }),
  risk: 'medium',
  zone: 'external',
  provenance: { sensitive: { email: 'email' }, externalSink: true, output: { trust: 'trusted' } },
  // The file shared is a record the policy decides on, for the assistant and for the user.
  records: ({ fileId }) => [{ action: 'share', resource: { type: 'File', id: fileId } }],
  async execute({ fileId, email, permission }, { services, idempotencyKey }) {
    return workspaceOf(services).shareFile(fileId, email, permission, idempotencyKey);
  },
});

export const deleteFile = defineTool({
  name: 'files.delete',
  description: 'Delete a file from the drive.',
  parameters: z.strictObject({ fileId }),
  risk: 'high',
  provenance: { sensitive: { fileId: 'path' }, output: { trust: 'trusted' } },
  async execute({ fileId }, { services, idempotencyKey }) {
    return workspaceOf(services).deleteFile(fileId, idempotencyKey);
  },
});

export const workspaceTools = [
  searchEmails,
  readEmail,
  sendEmail,
  searchEvents,
  eventsOnDay,
  createEvent,
  rescheduleEvent,
  addParticipants,
  searchContacts,
  searchFiles,
  readFile,
  createFile,
  appendToFile,
  shareFile,
  deleteFile,
];
