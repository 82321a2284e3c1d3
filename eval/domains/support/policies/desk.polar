# The evaluated desk's own rules, on top of the example's policy (warden.polar here): what a real
# deployment states as facts (facts.yaml) so that provenance need not ask a person about it.

# A reply may carry a link that only the model wrote (it traces to nothing, once a ticket was read)
# when the link is one of the help centre's published pages (published_link facts name each page and
# the help centre's host, since the guard asks about the link and its host one by one).
has_permission(_actor: Actor, "accept_tainted", tool: Tool) if
  tainted_argument(tool, "body", link) and
  published_link(link);

# Customer data may go to the company's own endpoints (company_endpoint facts): the CRM sync is
# where it lives anyway. Anywhere else, a person decides.
has_permission(_actor: Actor, "accept_confidential", tool: Tool) if
  confidential_destination(tool, "url", url) and
  company_endpoint(url);

test "a published help-centre link is accepted in a reply, another link is not" {
  setup {
    acts_for(Agent{"support-bot"}, User{"alice"});
    published_link("https://help.acme.example/refund-policy");
    tainted_argument(Tool{"ticket.reply"}, "body", "https://help.acme.example/refund-policy");
    tainted_argument(Tool{"http.post"}, "body", "https://acme-billing-portal.example/pay");
  }
  assert allow(Agent{"support-bot"}, "accept_tainted", Tool{"ticket.reply"});
  assert_not allow(Agent{"support-bot"}, "accept_tainted", Tool{"http.post"});
}

test "customer data goes unattended only to the company's own endpoints" {
  setup {
    acts_for(Agent{"support-bot"}, User{"alice"});
    company_endpoint("https://api.acme.example/crm-sync");
    confidential_destination(Tool{"http.post"}, "url", "https://api.acme.example/crm-sync");
    confidential_destination(Tool{"ticket.reply"}, "url", "https://attacker.example/collect");
  }
  assert allow(Agent{"support-bot"}, "accept_confidential", Tool{"http.post"});
  assert_not allow(Agent{"support-bot"}, "accept_confidential", Tool{"ticket.reply"});
}
