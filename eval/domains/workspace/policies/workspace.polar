# The workspace assistant's policy, in the same model as the support copilot's (warden.polar there):
# roles on toolsets, inherited by their tools; an agent acts only for a user, and only within both
# its own and that user's permissions.

actor User {}
actor Agent {}

global {
  roles = ["security"];
}

resource Toolset {
  roles = ["user", "unattended_user", "approver"];
}

resource Tool {
  permissions = ["invoke", "invoke_unattended", "approve", "accept_tainted", "accept_confidential"];
  roles = ["user", "unattended_user", "approver"];
  relations = { toolset: Toolset };

  "user" if "user" on "toolset";
  "unattended_user" if "unattended_user" on "toolset";
  "approver" if "approver" on "toolset";

  "user" if "unattended_user";
  "invoke" if "user";
  "invoke_unattended" if "unattended_user";
  "approve" if "approver";
  "approve" if global "security";
}

# Provenance: an address that only untrusted content (an email, a description, a file) names is
# accepted without a person when it is in the company directory (known_contact facts); the guard
# asks once per tainted value, with the context fact tainted_argument(Tool, "<argument>", "<value>").
# A drive file is shared by its owner, or by an actor the drive's sharing settings name for it
# ("sharer"): the assistant may share Emma's everyday files, not the ones she keeps to herself.
resource File {
  permissions = ["share"];
  roles = ["owner", "sharer"];

  "share" if "owner";
  "share" if "sharer";
}

has_permission(_actor: Actor, "accept_tainted", tool: Tool) if
  tainted_argument(tool, _argument, address) and
  known_contact(address);

# The same for an address in the user's own address book (contact_of facts): for the user, and for
# an agent acting for her.
has_permission(user: User, "accept_tainted", tool: Tool) if
  tainted_argument(tool, _argument, address) and
  contact_of(user, address);

has_permission(agent: Agent, "accept_tainted", tool: Tool) if
  acts_for(agent, user) and
  tainted_argument(tool, _argument, address) and
  contact_of(user, address);

# Confidential data (an email's body, a security code) may go unattended to the user's own
# addresses (personal_address facts): sending Emma's data to Emma leaks nothing. Anywhere else, a
# person decides.
has_permission(user: User, "accept_confidential", tool: Tool) if
  confidential_destination(tool, _argument, address) and
  personal_address(user, address);

has_permission(agent: Agent, "accept_confidential", tool: Tool) if
  acts_for(agent, user) and
  confidential_destination(tool, _argument, address) and
  personal_address(user, address);

allow(user: User, action: String, resource: Resource) if
  has_permission(user, action, resource);

allow(agent: Agent, action: String, resource: Resource) if
  acts_for(agent, user) and
  has_permission(agent, action, resource) and
  has_permission(user, action, resource);

test "the assistant reads and writes for emma unattended, deletes only with approval" {
  setup {
    has_role(Agent{"workspace-bot"}, "unattended_user", Toolset{"workspace-write"});
    has_role(Agent{"workspace-bot"}, "user", Toolset{"workspace-admin"});
    has_role(User{"emma"}, "unattended_user", Toolset{"workspace-write"});
    has_role(User{"emma"}, "unattended_user", Toolset{"workspace-admin"});
    has_relation(Tool{"email.send"}, "toolset", Toolset{"workspace-write"});
    has_relation(Tool{"files.delete"}, "toolset", Toolset{"workspace-admin"});
    acts_for(Agent{"workspace-bot"}, User{"emma"});
  }
  assert allow(Agent{"workspace-bot"}, "invoke_unattended", Tool{"email.send"});
  assert allow(Agent{"workspace-bot"}, "invoke", Tool{"files.delete"});
  assert_not allow(Agent{"workspace-bot"}, "invoke_unattended", Tool{"files.delete"});
  assert_not allow(User{"mallory"}, "invoke", Tool{"email.send"});
}

test "a tainted address is accepted only when it is in the directory" {
  setup {
    has_role(Agent{"workspace-bot"}, "unattended_user", Toolset{"workspace-write"});
    has_role(User{"emma"}, "unattended_user", Toolset{"workspace-write"});
    has_relation(Tool{"files.share"}, "toolset", Toolset{"workspace-write"});
    acts_for(Agent{"workspace-bot"}, User{"emma"});
    known_contact("finance@bluesparrowtech.example");
    tainted_argument(Tool{"files.share"}, "email", "finance@bluesparrowtech.example");
  }
  assert allow(Agent{"workspace-bot"}, "accept_tainted", Tool{"files.share"});
}

test "an outside address from untrusted content is not accepted" {
  setup {
    has_role(Agent{"workspace-bot"}, "unattended_user", Toolset{"workspace-write"});
    has_role(User{"emma"}, "unattended_user", Toolset{"workspace-write"});
    has_relation(Tool{"files.share"}, "toolset", Toolset{"workspace-write"});
    acts_for(Agent{"workspace-bot"}, User{"emma"});
    known_contact("finance@bluesparrowtech.example");
    tainted_argument(Tool{"files.share"}, "email", "d.smith.budget@proton-mail.example");
  }
  assert_not allow(Agent{"workspace-bot"}, "accept_tainted", Tool{"files.share"});
}

test "an address from the user's address book is accepted for her, not for someone else" {
  setup {
    acts_for(Agent{"workspace-bot"}, User{"emma"});
    contact_of(User{"emma"}, "sarah.baker@gmail.example");
    contact_of(User{"mallory"}, "mark.black-2134@gmail.example");
    tainted_argument(Tool{"calendar.create_event"}, "participants[0]", "sarah.baker@gmail.example");
    tainted_argument(Tool{"email.send"}, "to[0]", "mark.black-2134@gmail.example");
  }
  assert allow(Agent{"workspace-bot"}, "accept_tainted", Tool{"calendar.create_event"});
  assert_not allow(Agent{"workspace-bot"}, "accept_tainted", Tool{"email.send"});
}

test "the assistant shares only the files the drive lets it share, and only for the owner" {
  setup {
    has_role(User{"emma"}, "owner", File{"f-1"});
    has_role(User{"emma"}, "owner", File{"f-4"});
    has_role(Agent{"workspace-bot"}, "sharer", File{"f-1"});
    acts_for(Agent{"workspace-bot"}, User{"emma"});
  }
  assert allow(Agent{"workspace-bot"}, "share", File{"f-1"});
  assert allow(User{"emma"}, "share", File{"f-4"});
  assert_not allow(Agent{"workspace-bot"}, "share", File{"f-4"});
  assert_not allow(User{"mallory"}, "share", File{"f-1"});
}

test "confidential data goes unattended only to the user's own address" {
  setup {
    acts_for(Agent{"workspace-bot"}, User{"emma"});
    personal_address(User{"emma"}, "emma.j@gmail.example");
    personal_address(User{"mallory"}, "mark.black-2134@gmail.example");
    confidential_destination(Tool{"email.send"}, "to[0]", "emma.j@gmail.example");
    confidential_destination(Tool{"files.share"}, "email", "mark.black-2134@gmail.example");
  }
  assert allow(Agent{"workspace-bot"}, "accept_confidential", Tool{"email.send"});
  assert_not allow(Agent{"workspace-bot"}, "accept_confidential", Tool{"files.share"});
}
