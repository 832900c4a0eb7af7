// Users: the signed-in user's company's portal users.
import { me } from './shell.js';
import { paginatedTable } from './list.js';

const ROLE_LABELS = {
  full_admin: 'Full Admin', ticket_manager: 'Ticket Manager', billing_admin: 'Billing Admin',
  ticket_read_only: 'Ticket Read-Only', standard_user: 'Standard User', msp_admin: 'MSP Admin', technician: 'Technician',
};

me.then((data) => {
  document.getElementById('users-caption').textContent = `Portal users of ${data.company.name}`;
  return paginatedTable({
    id: 'users',
    url: `/api/companies/${encodeURIComponent(data.company.id)}/users`,
    cells: (u) => ({ name: u.name, email: u.email, role: ROLE_LABELS[u.role] || u.role, status: u.status === 'active' ? 'Active' : 'Deactivated' }),
  });
});
