import type { AuthzRequest, OsoValue } from '../../../src/authz/types.ts';

const agent = (id: string): OsoValue => ({ type: 'Agent', id });
const user = (id: string): OsoValue => ({ type: 'User', id });
const tool = (id: string): OsoValue => ({ type: 'Tool', id });
const bot = agent('support-bot');

export interface Case {
  name: string;
  req: AuthzRequest;
  allowed: boolean;
}

/** The decisions the demo and the guard rely on, against policies/ as shipped. */
export const CASES: Case[] = [
  {
    name: 'bot reads a customer for alice',
    req: { actor: bot, action: 'invoke', resource: tool('crm.get_customer'), onBehalfOf: user('alice') },
    allowed: true,
  },
  {
    name: 'bot reads unattended for alice',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.get_customer'),
      onBehalfOf: user('alice'),
    },
    allowed: true,
  },
  {
    name: 'bot refunds for alice',
    req: { actor: bot, action: 'invoke', resource: tool('crm.issue_refund'), onBehalfOf: user('alice') },
    allowed: true,
  },
  {
    name: 'bot refunds 100 unattended',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.issue_refund'),
      onBehalfOf: user('alice'),
      context: [['refund_amount', tool('crm.issue_refund'), 100]],
    },
    allowed: true,
  },
  {
    name: 'bot refunds 250 unattended',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.issue_refund'),
      onBehalfOf: user('alice'),
      context: [['refund_amount', tool('crm.issue_refund'), 250]],
    },
    allowed: false,
  },
  {
    name: 'bot refunds unattended without amount',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.issue_refund'),
      onBehalfOf: user('alice'),
    },
    allowed: false,
  },
  {
    name: 'bot searches 20 records unattended',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.search_customers'),
      onBehalfOf: user('alice'),
      context: [['record_count', tool('crm.search_customers'), 20]],
    },
    allowed: true,
  },
  {
    name: 'bot searches 500 records unattended',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('crm.search_customers'),
      onBehalfOf: user('alice'),
      context: [['record_count', tool('crm.search_customers'), 500]],
    },
    allowed: false,
  },
  {
    name: 'bot deletes a customer',
    req: { actor: bot, action: 'invoke', resource: tool('crm.delete_customer'), onBehalfOf: user('alice') },
    allowed: false,
  },
  {
    name: 'bot exports customers',
    req: { actor: bot, action: 'invoke', resource: tool('crm.export_customers'), onBehalfOf: user('alice') },
    allowed: false,
  },
  {
    name: 'bot posts externally',
    req: { actor: bot, action: 'invoke', resource: tool('http.post'), onBehalfOf: user('alice') },
    allowed: false,
  },
  {
    name: 'bot replies to a ticket unattended',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: tool('ticket.reply'),
      onBehalfOf: user('alice'),
    },
    allowed: true,
  },
  {
    name: 'bot without a user',
    req: { actor: bot, action: 'invoke', resource: tool('crm.get_customer') },
    allowed: false,
  },
  {
    name: 'bot for mallory reads',
    req: { actor: bot, action: 'invoke', resource: tool('crm.get_customer'), onBehalfOf: user('mallory') },
    allowed: false,
  },
  {
    name: 'bot for mallory refunds',
    req: { actor: bot, action: 'invoke', resource: tool('crm.issue_refund'), onBehalfOf: user('mallory') },
    allowed: false,
  },
  {
    name: 'bot approves a refund for bob',
    req: { actor: bot, action: 'approve', resource: tool('crm.issue_refund'), onBehalfOf: user('bob') },
    allowed: false,
  },
  {
    name: 'bob approves a refund',
    req: { actor: user('bob'), action: 'approve', resource: tool('crm.issue_refund') },
    allowed: true,
  },
  {
    name: 'carol approves a refund',
    req: { actor: user('carol'), action: 'approve', resource: tool('crm.issue_refund') },
    allowed: true,
  },
  {
    name: 'carol approves a delete',
    req: { actor: user('carol'), action: 'approve', resource: tool('crm.delete_customer') },
    allowed: true,
  },
  {
    name: 'alice approves a refund',
    req: { actor: user('alice'), action: 'approve', resource: tool('crm.issue_refund') },
    allowed: false,
  },
  {
    name: 'mallory approves a refund',
    req: { actor: user('mallory'), action: 'approve', resource: tool('crm.issue_refund') },
    allowed: false,
  },
  {
    name: 'bot reads a ticket for alice',
    req: { actor: bot, action: 'read', resource: { type: 'Ticket', id: 't-501' }, onBehalfOf: user('alice') },
    allowed: true,
  },
  {
    name: 'bot updates a customer for bob',
    req: {
      actor: bot,
      action: 'update',
      resource: { type: 'Customer', id: 'c-1001' },
      onBehalfOf: user('bob'),
    },
    allowed: false,
  },
  {
    name: 'bob updates a customer',
    req: { actor: user('bob'), action: 'update', resource: { type: 'Customer', id: 'c-1001' } },
    allowed: true,
  },
  {
    name: 'unknown tool',
    req: { actor: bot, action: 'invoke', resource: tool('nope'), onBehalfOf: user('alice') },
    allowed: false,
  },
  {
    name: 'bot hands off to billing-bot for alice',
    req: { actor: bot, action: 'handoff', resource: agent('billing-bot'), onBehalfOf: user('alice') },
    allowed: true,
  },
  {
    name: 'bot hands off to billing-bot for mallory',
    req: { actor: bot, action: 'handoff', resource: agent('billing-bot'), onBehalfOf: user('mallory') },
    allowed: false,
  },
  {
    name: 'bot hands off to billing-bot without a user',
    req: { actor: bot, action: 'handoff', resource: agent('billing-bot') },
    allowed: false,
  },
  {
    name: 'billing-bot hands back to support-bot for alice',
    req: {
      actor: agent('billing-bot'),
      action: 'handoff',
      resource: bot,
      onBehalfOf: user('alice'),
    },
    allowed: false,
  },
  {
    name: 'unconfigured agent hands off to billing-bot for alice',
    req: {
      actor: agent('status-bot'),
      action: 'handoff',
      resource: agent('billing-bot'),
      onBehalfOf: user('alice'),
    },
    allowed: false,
  },
];
