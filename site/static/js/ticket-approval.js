// A ticket's request for the client's approval (ticket-view.js shows it): what the technician
// asked and how it was answered; the company's approvers approve or reject it with a comment;
// MSP staff ask for it on an open ticket that does not wait already.
import { authed } from './api.js';
import { showProblem, when, whileBusy } from './forms.js';

const $ = (id) => document.getElementById(id);
const ANSWERED = { approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn: the ticket moved on before anyone answered' };
let ticket = null;
let reload = async () => {};

// Show `t`'s approval for `who` (their /api/me); `done(message)` reloads the page after a change.
export function showApproval(t, who, done) {
  ticket = t;
  reload = done;
  const can = new Set(who.capabilities);
  const staff = can.has('all_companies');
  const a = t.approval;
  const waiting = t.status === 'waiting_for_approval' && a?.state === 'pending';
  $('approval').hidden = !a;
  if (a) {
    $('approval-heading').textContent = waiting ? 'Waiting for your approval' : 'Approval';
    if (staff || !can.has('approve_quotes')) $('approval-heading').textContent = waiting ? 'Waiting for the client’s approval' : 'Approval';
    $('approval-text').textContent = `${a.requested_by_name} asked, ${when(a.requested_at)}:\n${a.message}`;
    $('approval-answer').textContent = a.state === 'pending'
      ? 'Not answered yet.'
      : `${ANSWERED[a.state]}${a.answered_by_name ? ` by ${a.answered_by_name}, ${when(a.answered_at)}` : ''}${a.comment ? `: ${a.comment}` : '.'}`;
  }
  $('approval-form').hidden = !(waiting && can.has('approve_quotes') && !staff);
  const open = !['resolved', 'closed', 'cancelled'].includes(t.status);
  $('ask-approval').hidden = !(staff && open && !waiting);
}

let answer = 'approve';
for (const id of ['approve-work', 'reject-work']) $(id).addEventListener('click', (e) => { answer = e.currentTarget.value; });

$('approval-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const button = answer === 'approve' ? $('approve-work') : $('reject-work');
  await whileBusy(button, async () => {
    try {
      await authed(`/api/tickets/${ticket.number}/approval`, {
        method: 'POST',
        body: { approve: answer === 'approve', comment: $('comment').value, version: ticket.version },
      });
      form.reset();
      await reload(answer === 'approve' ? 'Approved: the technician has been told.' : 'Rejected: the technician has been told why.');
    } catch (err) {
      showProblem(form, $('approval-error'), err);
    }
  });
});

$('ask-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  await whileBusy(form.querySelector('button'), async () => {
    try {
      await authed(`/api/tickets/${ticket.number}/approval-request`, {
        method: 'POST',
        body: { message: $('message').value, version: ticket.version },
      });
      form.reset();
      await reload('Asked: the client’s approvers were emailed.');
    } catch (err) {
      showProblem(form, $('ask-error'), err);
    }
  });
});
