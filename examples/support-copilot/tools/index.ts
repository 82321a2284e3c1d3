import { toolRegistry } from 'warden/workflow';
import {
  deleteCustomer,
  exportCustomers,
  getCustomer,
  issueRefund,
  searchCustomers,
  updateTicket,
} from './crm-tools.ts';
import { httpPost } from './http-tools.ts';
import { getTicket, replyToTicket } from './ticket-tools.ts';

/** The support copilot's tools by name; `crm.delete_customer` is here so the policy can refuse it. */
export const demoTools = toolRegistry([
  getCustomer,
  searchCustomers,
  exportCustomers,
  updateTicket,
  issueRefund,
  deleteCustomer,
  httpPost,
  getTicket,
  replyToTicket,
]);
