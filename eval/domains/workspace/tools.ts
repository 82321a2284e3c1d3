import { defineTool } from 'warden/workflow';
import { z } from 'zod';
import { workspaceOf } from './workspace-of.ts';

const emailId = z.string().regex(/^e-\d{1,6}$/, 'an email id looks like e-1');
const fileId = z.string().regex(/^f-\d{1,6}$/, 'a file id looks like f-1');
const address = z.email();
const dateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a time looks like 2026-12-04T09:00');

export const searchEmails = defineTool({
  name: 'email.search',
  description: 'Search the inbox by sender, subject or body text. Bodies are written by the senders.',
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
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
  async execute(email, { services, idempotencyKey }) {
    return workspaceOf(services).sendEmail(email, idempotencyKey);
  },
});

export const searchEvents = defineTool({
  name: 'calendar.search',
  description: 'Search calendar events by title or description.',
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ query }, { services }) {
    return workspaceOf(services).searchEvents(query);
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
  }),
  risk: 'medium',
  async execute(event, { services, idempotencyKey }) {
    return workspaceOf(services).createEvent(event, idempotencyKey);
  },
});

export const searchFiles = defineTool({
  name: 'files.search',
  description: 'Find files in the drive by name.',
  parameters: z.strictObject({ query: z.string().max(200) }),
  risk: 'low',
  async execute({ query }, { services }) {
    return workspaceOf(services).searchFiles(query);
  },
});

export const readFile = defineTool({
  name: 'files.read',
  description: 'Read a file of the drive, with its content.',
  parameters: z.strictObject({ fileId }),
  risk: 'low',
  recordsRead: () => 1,
  async execute({ fileId }, { services }) {
    return workspaceOf(services).readFile(fileId);
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
  async execute({ fileId, email, permission }, { services, idempotencyKey }) {
    return workspaceOf(services).shareFile(fileId, email, permission, idempotencyKey);
  },
});

export const deleteFile = defineTool({
  name: 'files.delete',
  description: 'Delete a file from the drive.',
  parameters: z.strictObject({ fileId }),
  risk: 'high',
  async execute({ fileId }, { services, idempotencyKey }) {
    return workspaceOf(services).deleteFile(fileId, idempotencyKey);
  },
});

export const workspaceTools = [
  searchEmails,
  readEmail,
  sendEmail,
  searchEvents,
  createEvent,
  searchFiles,
  readFile,
  shareFile,
  deleteFile,
];
