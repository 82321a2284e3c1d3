import {
  deleteCustomer,
  exportCustomers,
  getCustomer,
  issueRefund,
  searchCustomers,
  updateTicket,
} from './crm-tools.ts';
import { toolRegistry } from './define-tool.ts';
import { httpPost } from './http-tools.ts';
import { getTicket, replyToTicket } from './ticket-tools.ts';

/** The demo tools by name. Workflow code imports this to validate arguments; workers to run them. */
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
