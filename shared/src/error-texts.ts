// What each API error code means to a person: a sentence and what to do. The API's own message stays the
// detail (it names the field, the bundle, the provider's code). A test keeps this list complete: every code
// the server answers has its entry (server/src/error-codes.test.ts).

export interface ErrorText {
  /** What happened, in a sentence. */
  sentence: string;
  /** What to do about it. */
  hint: string;
}

export const errorTexts: Record<string, ErrorText> = {
  address_not_allowed: { sentence: 'Bundles did not call this address: it is private or local.', hint: 'Use the service’s public address; to call a machine of your own network, the operator lists it in BUNDLES_ALLOWED_HOSTS.' },
  invalid_cursor: { sentence: 'The list could not go on from where it was.', hint: 'Reload the page to start again from the newest entries.' },
  too_many_attempts: { sentence: 'Too many failed sign-ins: signing in is paused for a while.', hint: 'Wait the minutes named, then try again.' },
  cross_origin: { sentence: 'This change came from another site or port, so it was refused.', hint: 'Make the change in the Bundles editor itself; scripts should send an API token instead of the login cookie.' },
  forbidden: { sentence: 'Your role in this workspace does not allow this.', hint: 'Ask an admin of the workspace for a higher role, or use a token with a wider scope.' },
  token_cannot_switch: { sentence: 'An API token works in its own workspace only; it cannot switch.', hint: 'Make a token in the other workspace, or switch in the editor’s header.' },
  not_a_member: { sentence: 'You are not a member of that workspace.', hint: 'Switch to one of your workspaces in the header, or ask its admin for an invitation.' },
  invalid_workspace: { sentence: 'The workspace named in the request is not a workspace id.', hint: 'Send X-Bundles-Workspace with the id from GET /api/workspaces.' },
  no_workspace: { sentence: 'This account belongs to no workspace any more.', hint: 'Ask an admin of your workspace to invite you again.' },
  // Teams: members, invitations, the account.
  last_workspace: { sentence: 'This is your only workspace, so it cannot be deleted.', hint: 'Make or join another workspace first, then delete this one from there.' },
  last_owner: { sentence: 'This is the workspace’s last owner, so they stay owner.', hint: 'Make another member owner first, then change or remove this one.' },
  already_member: { sentence: 'This e-mail address is a member of the workspace already.', hint: 'Change their role in the members list instead; an existing account accepts with its own password.' },
  invitation_not_found: { sentence: 'This invitation link is not valid.', hint: 'It was revoked or mistyped: ask an admin of the workspace for a new invitation.' },
  invitation_used: { sentence: 'This invitation was accepted already.', hint: 'Log in with the e-mail address it was sent to.' },
  invitation_expired: { sentence: 'This invitation has expired.', hint: 'Ask an admin of the workspace to invite you again.' },
  wrong_password: { sentence: 'The password is not right.', hint: 'Type your current password again; after too many tries signing in pauses for a while.' },
  already_set_up: { sentence: 'Bundles is already set up.', hint: 'Log in with the owner’s e-mail address instead.' },
  bad_request: { sentence: 'The request could not be read.', hint: 'Reload the page and try again.' },
  cannot_reply: { sentence: 'This message cannot be answered from here.', hint: 'Answer it in the provider’s own app, or through a bundle.' },
  connection_in_use: { sentence: 'A running bundle uses this connection.', hint: 'Stop the bundles named below first, then delete the connection.' },
  export_running: { sentence: 'An export into this connection is still running.', hint: 'Wait for it to end; its progress is shown on the connection.' },
  internal_error: { sentence: 'Something went wrong on our side.', hint: 'Try again; if it keeps happening, the server log has the details.' },
  invalid_config: { sentence: 'The connection is missing a setting this needs.', hint: 'Edit the connection and fill in the field named below.' },
  invalid_connection: { sentence: 'The connection’s settings are not valid.', hint: 'Fix the fields marked on the form.' },
  invalid_credentials: { sentence: 'The e-mail address or the password is wrong.', hint: 'Check both and try again.' },
  invalid_export: { sentence: 'This export cannot start as asked.', hint: 'Check the source connection and the options below.' },
  invalid_flow: { sentence: 'The bundle has problems to fix.', hint: 'They are listed in the Problems tab and marked on the nodes and fields.' },
  invalid_test: { sentence: 'The test cannot run on what was chosen.', hint: 'Pick one of the trigger’s recent events, or test with a sample.' },
  invalid_schedule: { sentence: 'This schedule cannot run as written.', hint: 'Use five cron fields (minute hour day-of-month month day-of-week) and an IANA time zone such as America/Sao_Paulo.' },
  test_timeout: { sentence: 'The test took too long and was stopped.', hint: 'The step did not answer within 30 seconds: check the provider, then test again.' },
  invalid_graph: { sentence: 'What was sent is not a bundle graph.', hint: 'Reload the editor; if it keeps happening, export the bundle and report it.' },
  invalid_import: { sentence: 'This file is not a Bundles export.', hint: 'Export the bundle again from its menu, and import that file.' },
  invalid_request: { sentence: 'Some of what was sent is not valid.', hint: 'Fix the field named below and try again.' },
  invalid_rule: { sentence: 'The rule cannot be saved as it is.', hint: 'Fix the fields marked on the form.' },
  invalid_settings: { sentence: 'These settings are not valid.', hint: 'Fix the fields marked on the form.' },
  invalid_token: { sentence: 'This API token is not valid.', hint: 'It may have been revoked: make a new one under Settings → API tokens and send that.' },
  invalid_template_use: { sentence: 'The ready bundle cannot be made as asked.', hint: 'Choose a connection for each role marked, of the provider it names.' },
  network_error: { sentence: 'Bundles cannot be reached.', hint: 'Check that the Bundles server is running, then try again.' },
  no_export: { sentence: 'This connection offers no export.', hint: 'Exports go into connections such as SALESmanago.' },
  no_live_version: { sentence: 'The bundle has no live version to retry on.', hint: 'Start the bundle, or retry on the version the run ran.' },
  no_status_rules: { sentence: 'This connection has no statuses to send messages on.', hint: 'Status messages are for sales connections such as Guru, Monetizze or RetailCRM.' },
  not_failed: { sentence: 'Only a failed run can be retried.', hint: 'Reload the run: it may have finished meanwhile.' },
  not_found: { sentence: 'It is not there (any more).', hint: 'It may have been deleted; go back to the list.' },
  not_uncertain: { sentence: 'This step was settled already.', hint: 'Reload the run to see how.' },
  provider_error: { sentence: 'The provider refused or did not answer.', hint: 'Its own code and message are below; check the connection’s credentials and the provider’s status.' },
  // Step errors of the runtime itself (a provider's own codes are shown as they come).
  template_error: { sentence: 'A {{ … }} field of this step could not be filled in.', hint: 'Open the step: the field and the missing value are named; fix the mapping and retry the run.' },
  trigger_condition_failed: { sentence: 'The trigger could not check its condition on this event.', hint: 'Look at the event’s data and the trigger’s settings, then replay or retry.' },
  unstorable: { sentence: 'What this run produced could not be stored.', hint: 'A value is too large or not valid text; map less of it into the step.' },
  daily_cap_reached: { sentence: 'The connection’s daily send cap is reached.', hint: 'Raise the cap on the connection, or let it wait until tomorrow.' },
  token_expired: { sentence: 'This API token has expired.', hint: 'Make a new one under Settings → API tokens and send that instead.' },
  code_error: { sentence: 'The code of this step failed.', hint: 'The line and column are named: fix the code there (test the step to try it), then retry the run.' },
  code_timeout: { sentence: 'The code ran longer than its time limit and was stopped.', hint: 'Look for a loop that never ends; if the work is really that long, raise “Time limit (ms)”.' },
  code_memory: { sentence: 'The code used more memory than its limit and was stopped.', hint: 'Keep less data at once (map only the fields it needs into Input), or raise “Memory limit (MB)”.' },
  code_output: { sentence: 'The code returned something that is not JSON.', hint: 'Return plain objects, arrays, strings, numbers, booleans or null, under 256 KB; no functions, Promises or BigInt.' },
  too_many_segments: { sentence: 'The text is longer than the SMS cap allows.', hint: 'Shorten the message or raise “At most (SMS segments)”.' },
  unauthorized: { sentence: 'You are not logged in (any more).', hint: 'Log in again.' },
  unavailable: { sentence: 'The database does not answer right now.', hint: 'Wait a few seconds and try again.' },
  unknown_provider: { sentence: 'That provider is not known here.', hint: 'Choose one of the providers listed.' },
};

/** The text of a code, or a general one for a code not listed (a provider's own, a framework's). */
export function errorTextOf(code: string | undefined): ErrorText | undefined {
  return code ? errorTexts[code] : undefined;
}
