// The labels of every status, role and action, as the prerenderer wrote them into the page from the
// Rust enums (portal::domain::labels): the one source; the scripts keep no copy.
const node = document.getElementById('portal-labels');
const all = node ? JSON.parse(node.textContent) : {};

/** The `{wire name: label}` table called `name` (`ticket_status`, `client_role`, …). */
export function labels(name) {
  return all[name] || {};
}

// 7 → "INV-0007", as the API labels invoices.
export function invoiceLabel(number) {
  return `INV-${String(number).padStart(4, '0')}`;
}
