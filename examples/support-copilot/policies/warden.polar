# Warden authorization policy, in Oso Cloud's Polar dialect. The same file is uploaded to Oso Cloud
# and evaluated offline by the embedded engine; `warden policy test` runs the test blocks below.
#
# Model
# - Actors: User (a person) and Agent (an AI agent with its own identity, never a user's).
# - Tool: one callable tool, e.g. Tool{"crm.issue_refund"}. Each tool belongs to a Toolset through
#   the `toolset` relation; roles are granted on toolsets (facts.yaml) and inherited by their tools.
#   Toolset roles:
#     "user"             may invoke, with human approval
#     "unattended_user"  may invoke and run without approval (invoke_unattended)
#     "capped_refunder"  may run a refund unattended while the context amount is <= 100
#     "capped_reader"    may run a search unattended while the context record count is <= 50
#     "approver"         may approve calls of the toolset's tools
#   Global role "security" may approve any tool.
# - Permissions on Tool: invoke, invoke_unattended (may run without human approval), approve.
# - Data: Customer and Ticket belong to an Org; an actor's Org role ("support", "lead") gives
#   read/update on them, a ticket's "assignee" may update it. An agent's Org role "ticket_agent"
#   lets it update the org's tickets (still only for a user who may update them too). Tools declare
#   the records a call touches (crm.get_customer: read Customer) and the records of their output
#   (crm.search_customers), and the guard checks or filters them for the agent and for the user.
# - An agent is allowed only while acting for a user, given as the context fact
#   acts_for(Agent, User), and only what the agent may do AND that user may do.
#   Approve is a user's decision: an agent never holds an approver role.
# - Per-call attributes are context facts: refund_amount(Tool, Integer), record_count(Tool, Integer).
# - Provenance: Warden's tool worker escalates a call whose sensitive argument comes only from
#   untrusted content (a ticket's text), unless the policy grants "accept_tainted" on the tool for
#   each such value, given as the context fact tainted_argument(Tool, "<argument>", "<value>").
#   Each of those questions also carries clear_argument(Tool, "<argument>", "<value>") for every
#   sensitive identifier argument of the same call that has a trusted source (the request, a
#   system field such as a ticket's customerId), so a rule can accept a tainted value together with
#   a clear one. Payees are registered per customer: payee_for("<customer>", "<payee>") says that
#   finance pays the customer's refunds to the payee (a parent company paying a subsidiary's invoices).
# - Handoffs: an agent may hand a user's conversation to another agent (`handoff` on Agent{target})
#   when it is a configured "delegator" of that agent AND the user may use the toolset the target
#   "serves" (holds "user" or "unattended_user" on it). Every tool call after the handoff is still
#   decided for the target's own identity.
# - Run: one agent run, by workflow id. "read" lets an actor decrypt the run's payloads (prompts,
#   arguments, outputs) through the codec server, e.g. in Temporal Web: the user the run acts for
#   (the context fact has_relation(Run, "user", User), from the run's WardenUser) and global "security".
# - Self-approval (a user approving her own request) is refused by the guard, not here.
# - Context facts cannot be combined with `not` in Oso Cloud, so this policy never negates.

actor User {}

# An agent is also what a handoff targets: `handoff` on Agent{target}.
actor Agent {
  permissions = ["handoff"];
  roles = ["delegator"];
  relations = { serves: Toolset };

  "handoff" if "delegator";
}

global {
  roles = ["security"];
}

resource Toolset {
  roles = ["user", "unattended_user", "capped_refunder", "capped_reader", "approver"];
}

resource Tool {
  permissions = ["invoke", "invoke_unattended", "approve", "accept_tainted"];
  roles = ["user", "unattended_user", "capped_refunder", "capped_reader", "approver"];
  relations = { toolset: Toolset };

  "user" if "user" on "toolset";
  "unattended_user" if "unattended_user" on "toolset";
  "capped_refunder" if "capped_refunder" on "toolset";
  "capped_reader" if "capped_reader" on "toolset";
  "approver" if "approver" on "toolset";

  "invoke" if "user";
  "user" if "unattended_user";
  "user" if "capped_refunder";
  "user" if "capped_reader";
  "invoke_unattended" if "unattended_user";
  "approve" if "approver";
  "approve" if global "security";
}

# The user's side of a handoff, for users only: an agent never qualifies through its own toolset roles.
has_permission(user: User, "handoff", agent: Agent) if
  has_relation(agent, "serves", toolset) and
  has_role(user, "user", toolset);

has_permission(user: User, "handoff", agent: Agent) if
  has_relation(agent, "serves", toolset) and
  has_role(user, "unattended_user", toolset);

resource Org {
  roles = ["support", "lead", "ticket_agent"];

  "support" if "lead";
}

resource Customer {
  permissions = ["read", "update"];
  relations = { org: Org };

  "read" if "support" on "org";
  "update" if "lead" on "org";
}

resource Ticket {
  permissions = ["read", "update"];
  roles = ["assignee"];
  relations = { customer: Customer };

  "read" if "read" on "customer";
  "update" if "assignee";
  "update" if "update" on "customer";
}

# An agent answering an org's tickets updates them; for a user, allow still needs the user's own update.
has_permission(agent: Agent, "update", ticket: Ticket) if
  has_relation(ticket, "customer", customer) and
  has_relation(customer, "org", org) and
  has_role(agent, "ticket_agent", org);

resource Run {
  permissions = ["read"];
  relations = { user: User };

  "read" if global "security";
}

# The user a run acts for reads its payloads; nobody else does through the relation.
has_permission(user: User, "read", run: Run) if
  has_relation(run, "user", user);

has_permission(actor: Actor, "invoke_unattended", tool: Tool) if
  has_role(actor, "capped_refunder", tool) and
  refund_amount(tool, amount) and
  amount <= 100;

has_permission(actor: Actor, "invoke_unattended", tool: Tool) if
  has_role(actor, "capped_reader", tool) and
  record_count(tool, count) and
  count <= 50;

# A refund (a tool of the refunds toolset) to a customer id that only a ticket's text names runs
# unattended only when it is made on behalf of a customer whose id is clear (not from untrusted
# text: the ticket's own customer field, or the request) and finance registered the named account as
# that customer's payee. A payee registered for somebody is not a payee for everybody: the same
# account named in another customer's ticket, a refund that omits onBehalfOf, or one whose
# onBehalfOf the ticket's text wrote, asks a person.
has_permission(_actor: Actor, "accept_tainted", tool: Tool) if
  has_relation(tool, "toolset", Toolset{"refunds"}) and
  tainted_argument(tool, "customerId", payee) and
  clear_argument(tool, "onBehalfOf", customer) and
  payee_for(customer, payee);

# A user acts on her own authority.
allow(user: User, action: String, resource: Resource) if
  has_permission(user, action, resource);

# An agent acts only for a user, and only within both its own and that user's permissions.
allow(agent: Agent, action: String, resource: Resource) if
  acts_for(agent, user) and
  has_permission(agent, action, resource) and
  has_permission(user, action, resource);

test "support-bot reads the CRM for alice, attended and unattended" {
  setup {
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"crm-read"});
    has_role(User{"alice"}, "unattended_user", Toolset{"crm-read"});
    has_relation(Tool{"crm.get_customer"}, "toolset", Toolset{"crm-read"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert allow(Agent{"support-bot"}, "invoke", Tool{"crm.get_customer"});
  assert allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.get_customer"});
  assert allow(User{"alice"}, "invoke", Tool{"crm.get_customer"});
  assert_not allow(Agent{"support-bot"}, "approve", Tool{"crm.get_customer"});
  assert_not allow(User{"alice"}, "approve", Tool{"crm.get_customer"});
}

test "an agent needs a user to act for" {
  setup {
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"crm-read"});
    has_relation(Tool{"crm.get_customer"}, "toolset", Toolset{"crm-read"});
  }
  assert_not allow(Agent{"support-bot"}, "invoke", Tool{"crm.get_customer"});
  assert has_permission(Agent{"support-bot"}, "invoke", Tool{"crm.get_customer"});
}

test "an agent gets no more than the user it acts for" {
  setup {
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"crm-read"});
    has_role(User{"dave"}, "user", Toolset{"crm-read"});
    has_relation(Tool{"crm.get_customer"}, "toolset", Toolset{"crm-read"});
    acts_for(Agent{"support-bot"}, User{"dave"});
  }
  assert allow(Agent{"support-bot"}, "invoke", Tool{"crm.get_customer"});
  assert_not allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.get_customer"});
}

test "mallory, with no roles, gets nothing through the agent" {
  setup {
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"crm-read"});
    has_relation(Tool{"crm.get_customer"}, "toolset", Toolset{"crm-read"});
    acts_for(Agent{"support-bot"}, User{"mallory"});
  }
  assert_not allow(Agent{"support-bot"}, "invoke", Tool{"crm.get_customer"});
  assert_not allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.get_customer"});
  assert_not allow(User{"mallory"}, "invoke", Tool{"crm.get_customer"});
}

test "an agent's role does not extend to the user's other toolsets" {
  setup {
    has_role(Agent{"support-bot"}, "user", Toolset{"crm-read"});
    has_role(User{"alice"}, "user", Toolset{"crm-admin"});
    has_relation(Tool{"crm.delete_customer"}, "toolset", Toolset{"crm-admin"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert allow(User{"alice"}, "invoke", Tool{"crm.delete_customer"});
  assert_not allow(Agent{"support-bot"}, "invoke", Tool{"crm.delete_customer"});
}

test "refunds run unattended only up to 100" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    refund_amount(Tool{"crm.issue_refund"}, 100);
  }
  assert allow(Agent{"support-bot"}, "invoke", Tool{"crm.issue_refund"});
  assert allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.issue_refund"});
}

test "a refund above 100 needs approval" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    refund_amount(Tool{"crm.issue_refund"}, 101);
  }
  assert allow(Agent{"support-bot"}, "invoke", Tool{"crm.issue_refund"});
  assert_not allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.issue_refund"});
}

test "a refund without an amount needs approval" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert_not allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.issue_refund"});
}

test "searches run unattended only up to 50 records" {
  setup {
    has_role(Agent{"support-bot"}, "capped_reader", Toolset{"crm-search"});
    has_role(User{"alice"}, "unattended_user", Toolset{"crm-search"});
    has_relation(Tool{"crm.search_customers"}, "toolset", Toolset{"crm-search"});
    has_relation(Tool{"crm.search_tickets"}, "toolset", Toolset{"crm-search"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    record_count(Tool{"crm.search_customers"}, 50);
    record_count(Tool{"crm.search_tickets"}, 51);
  }
  assert allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.search_customers"});
  assert allow(Agent{"support-bot"}, "invoke", Tool{"crm.search_tickets"});
  assert_not allow(Agent{"support-bot"}, "invoke_unattended", Tool{"crm.search_tickets"});
}

test "approvers: toolset approver and global security" {
  setup {
    has_role(User{"bob"}, "approver", Toolset{"refunds"});
    has_role(User{"carol"}, "security");
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    has_relation(Tool{"crm.delete_customer"}, "toolset", Toolset{"crm-admin"});
  }
  assert allow(User{"bob"}, "approve", Tool{"crm.issue_refund"});
  assert_not allow(User{"bob"}, "approve", Tool{"crm.delete_customer"});
  assert_not allow(User{"bob"}, "invoke", Tool{"crm.issue_refund"});
  assert allow(User{"carol"}, "approve", Tool{"crm.issue_refund"});
  assert allow(User{"carol"}, "approve", Tool{"crm.delete_customer"});
  assert_not allow(User{"carol"}, "invoke", Tool{"crm.delete_customer"});
  assert_not allow(User{"alice"}, "approve", Tool{"crm.issue_refund"});
  assert_not allow(User{"mallory"}, "approve", Tool{"crm.issue_refund"});
}

test "agents never approve, even for an approver" {
  setup {
    has_role(User{"carol"}, "security");
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"carol"});
  }
  assert_not allow(Agent{"support-bot"}, "approve", Tool{"crm.issue_refund"});
}

test "support-bot hands a billing dispute to billing-bot for a user of refunds" {
  setup {
    has_role(Agent{"support-bot"}, "delegator", Agent{"billing-bot"});
    has_relation(Agent{"billing-bot"}, "serves", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_role(User{"dave"}, "user", Toolset{"refunds"});
    has_role(User{"erin"}, "unattended_user", Toolset{"crm-read"});
    has_role(Agent{"status-bot"}, "unattended_user", Toolset{"refunds"});
    has_role(Agent{"support-bot"}, "unattended_user", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert allow(Agent{"support-bot"}, "handoff", Agent{"billing-bot"});
  assert has_permission(User{"dave"}, "handoff", Agent{"billing-bot"});
  assert_not has_permission(User{"erin"}, "handoff", Agent{"billing-bot"});
  assert_not has_permission(User{"mallory"}, "handoff", Agent{"billing-bot"});
  assert_not allow(Agent{"billing-bot"}, "handoff", Agent{"support-bot"});
  assert_not has_permission(Agent{"status-bot"}, "handoff", Agent{"billing-bot"});
  assert_not allow(Agent{"support-bot"}, "handoff", Agent{"status-bot"});
}

test "no handoff for mallory, nor for an agent not configured as a delegator" {
  setup {
    has_role(Agent{"support-bot"}, "delegator", Agent{"billing-bot"});
    has_relation(Agent{"billing-bot"}, "serves", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_role(Agent{"status-bot"}, "unattended_user", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"mallory"});
    acts_for(Agent{"status-bot"}, User{"alice"});
  }
  assert_not allow(Agent{"support-bot"}, "handoff", Agent{"billing-bot"});
  assert_not allow(Agent{"status-bot"}, "handoff", Agent{"billing-bot"});
}

test "customer and ticket data through the org" {
  setup {
    has_role(User{"alice"}, "support", Org{"acme"});
    has_role(User{"bob"}, "lead", Org{"acme"});
    has_role(User{"erin"}, "assignee", Ticket{"t-2"});
    has_role(Agent{"support-bot"}, "support", Org{"acme"});
    has_relation(Customer{"c-1"}, "org", Org{"acme"});
    has_relation(Ticket{"t-1"}, "customer", Customer{"c-1"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert allow(User{"alice"}, "read", Customer{"c-1"});
  assert_not allow(User{"alice"}, "update", Customer{"c-1"});
  assert allow(User{"bob"}, "update", Customer{"c-1"});
  assert allow(User{"bob"}, "read", Ticket{"t-1"});
  assert allow(User{"bob"}, "update", Ticket{"t-1"});
  assert allow(User{"alice"}, "read", Ticket{"t-1"});
  assert_not allow(User{"alice"}, "update", Ticket{"t-1"});
  assert allow(User{"erin"}, "update", Ticket{"t-2"});
  assert_not allow(User{"erin"}, "read", Ticket{"t-1"});
  assert allow(Agent{"support-bot"}, "read", Ticket{"t-1"});
  assert_not allow(Agent{"support-bot"}, "update", Ticket{"t-1"});
  assert_not allow(User{"mallory"}, "read", Customer{"c-1"});
}

test "a ticket agent updates the org's tickets only for a user who may" {
  setup {
    has_role(Agent{"support-bot"}, "support", Org{"acme"});
    has_role(Agent{"support-bot"}, "ticket_agent", Org{"acme"});
    has_role(User{"alice"}, "support", Org{"acme"});
    has_role(User{"alice"}, "assignee", Ticket{"t-1"});
    has_relation(Customer{"c-1"}, "org", Org{"acme"});
    has_relation(Customer{"c-9"}, "org", Org{"globex"});
    has_relation(Ticket{"t-1"}, "customer", Customer{"c-1"});
    has_relation(Ticket{"t-2"}, "customer", Customer{"c-1"});
    has_relation(Ticket{"t-9"}, "customer", Customer{"c-9"});
    acts_for(Agent{"support-bot"}, User{"alice"});
  }
  assert allow(Agent{"support-bot"}, "update", Ticket{"t-1"});
  assert_not allow(Agent{"support-bot"}, "update", Ticket{"t-2"});
  assert_not allow(Agent{"support-bot"}, "update", Ticket{"t-9"});
  assert_not allow(Agent{"support-bot"}, "update", Customer{"c-1"});
  assert_not allow(Agent{"support-bot"}, "read", Customer{"c-9"});
}

test "a user's role in another org does not reach the agent" {
  setup {
    has_role(Agent{"support-bot"}, "support", Org{"acme"});
    has_role(User{"bob"}, "support", Org{"globex"});
    has_relation(Customer{"c-9"}, "org", Org{"globex"});
    acts_for(Agent{"support-bot"}, User{"bob"});
  }
  assert allow(User{"bob"}, "read", Customer{"c-9"});
  assert_not allow(Agent{"support-bot"}, "read", Customer{"c-9"});
}

test "a run's payloads are read by its user and by security only" {
  setup {
    has_role(User{"carol"}, "security");
    has_role(User{"bob"}, "approver", Toolset{"refunds"});
    has_relation(Run{"run-1"}, "user", User{"alice"});
  }
  assert allow(User{"alice"}, "read", Run{"run-1"});
  assert allow(User{"carol"}, "read", Run{"run-1"});
  assert allow(User{"carol"}, "read", Run{"run-2"});
  assert_not allow(User{"alice"}, "read", Run{"run-2"});
  assert_not allow(User{"bob"}, "read", Run{"run-1"});
  assert_not allow(User{"mallory"}, "read", Run{"run-1"});
  assert_not allow(Agent{"support-bot"}, "read", Run{"run-1"});
}

test "a tainted refund recipient is accepted only as the payee of the clear customer it is for" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    payee_for("c-1002", "c-1003");
    tainted_argument(Tool{"crm.issue_refund"}, "customerId", "c-1003");
    clear_argument(Tool{"crm.issue_refund"}, "onBehalfOf", "c-1002");
    tainted_argument(Tool{"crm.delete_customer"}, "customerId", "c-1003");
    clear_argument(Tool{"crm.delete_customer"}, "onBehalfOf", "c-1002");
  }
  assert allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.issue_refund"});
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.delete_customer"});
}

test "a payee is not accepted for another customer, nor without a clear onBehalfOf" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    has_relation(Tool{"crm.search_customers"}, "toolset", Toolset{"refunds"});
    has_relation(Tool{"crm.get_customer"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    payee_for("c-1002", "c-1003");
    # Another customer's refund (the ticket's own customer is c-1001).
    tainted_argument(Tool{"crm.issue_refund"}, "customerId", "c-1003");
    clear_argument(Tool{"crm.issue_refund"}, "onBehalfOf", "c-1001");
    # onBehalfOf omitted: the customer the payee is registered for is only a tainted value.
    tainted_argument(Tool{"crm.search_customers"}, "customerId", "c-1003");
    tainted_argument(Tool{"crm.search_customers"}, "onBehalfOf", "c-1002");
    # The payee registration read the other way round.
    tainted_argument(Tool{"crm.get_customer"}, "customerId", "c-1002");
    clear_argument(Tool{"crm.get_customer"}, "onBehalfOf", "c-1003");
  }
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.issue_refund"});
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.search_customers"});
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.get_customer"});
}

test "a clear customer is no payee of its own, and a tainted onBehalfOf is never accepted" {
  setup {
    has_role(Agent{"support-bot"}, "capped_refunder", Toolset{"refunds"});
    has_role(User{"alice"}, "unattended_user", Toolset{"refunds"});
    has_relation(Tool{"crm.issue_refund"}, "toolset", Toolset{"refunds"});
    acts_for(Agent{"support-bot"}, User{"alice"});
    payee_for("c-1002", "c-1003");
    tainted_argument(Tool{"crm.issue_refund"}, "onBehalfOf", "c-1002");
    clear_argument(Tool{"crm.issue_refund"}, "customerId", "c-1003");
  }
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"crm.issue_refund"});
}
