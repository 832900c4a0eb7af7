// The quote list: one tab at a time (waiting for the approvers, approved, declined, expired; the
// MSP's drafts), or one quote found by its number. MSP admins choose the company.
import { me, startEarly } from './shell.js';
import { paginatedTable } from './list.js';
import { day, fillCompanies, params, withCompany } from './billing-common.js';
import { labels } from './labels.js';

const $ = (id) => document.getElementById(id);
const TABS = { waiting: 'Waiting for you', approved: 'Approved', declined: 'Declined', expired: 'Expired', draft: 'Drafts' };
const tab = TABS[params.get('tab')] ? params.get('tab') : 'waiting';
const STATUS = labels('quote_status');
const q = (params.get('q') || '').trim();

function listUrl() {
  const query = new URLSearchParams({ tab });
  if (q) query.set('q', q);
  return withCompany(`/api/quotes?${query}`);
}

startEarly((data) => {
  const staff = data.capabilities.includes('all_companies');
  return [(!staff || params.get('company')) && listUrl(), staff && '/api/companies'];
});

function status(quote) {
  if (quote.expired) return 'Expired';
  return STATUS[quote.status] || quote.status;
}

me.then(async (data) => {
  const staff = data.capabilities.includes('all_companies');
  const company = params.get('company');
  for (const name of Object.keys(TABS)) {
    const link = $(`tab-${name}`);
    const query = new URLSearchParams(params);
    query.set('tab', name);
    query.delete('q');
    link.href = `?${query}`;
    if (name === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  $('q').value = q;
  if (company) {
    const keep = Object.assign(document.createElement('input'), { type: 'hidden', name: 'company', value: company });
    $('search').append(keep);
    $('new-quote').href = withCompany('/quotes/edit/');
  }
  if (staff) {
    $('company-picker').hidden = false;
    await fillCompanies($('company'), company);
    if (!company) {
      $('quotes-table').hidden = true;
      $('page-status').textContent = 'Choose a client company to see its quotes.';
      return;
    }
  }
  $('quotes-caption').textContent = q ? `Quote ${q}` : `Quotes: ${TABS[tab].toLowerCase()}`;
  paginatedTable({
    id: 'quotes',
    url: listUrl(),
    empty: q ? `No quote ${q}.` : tab === 'waiting' ? 'No quotes are waiting for your approval.' : 'No quotes here.',
    cells: (quote) => ({
      number: { text: quote.label, href: withCompany(`/quotes/view/?id=${encodeURIComponent(quote.id)}`) },
      title: quote.title,
      totals: quote.totals_text,
      valid: day(quote.valid_until),
      status: status(quote),
    }),
  });
});
