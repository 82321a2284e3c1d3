actor User {}
actor Agent {}

resource Tool {
  permissions = ["invoke", "invoke_unattended", "approve"];
  roles = ["user", "unattended_user", "approver"];

  "user" if "unattended_user";
  "invoke" if "user";
  "invoke_unattended" if "unattended_user";
  "approve" if "approver";
}

allow(user: User, action: String, resource: Resource) if
  has_permission(user, action, resource);

# An agent may do only what it may do AND what the user it acts for may do.
allow(agent: Agent, action: String, resource: Resource) if
  acts_for(agent, user) and
  has_permission(agent, action, resource) and
  has_permission(user, action, resource);

test "the status bot reads statuses for alice, and for nobody else" {
  setup {
    has_role(Agent{"status-bot"}, "unattended_user", Tool{"ticket.status"});
    has_role(User{"alice"}, "unattended_user", Tool{"ticket.status"});
  }
  assert has_permission(Agent{"status-bot"}, "invoke_unattended", Tool{"ticket.status"});
  assert has_permission(User{"alice"}, "invoke", Tool{"ticket.status"});
  assert_not has_permission(User{"mallory"}, "invoke", Tool{"ticket.status"});
}
