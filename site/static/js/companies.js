// Companies: the MSP's directory of client companies (staff only).
import { me } from './shell.js';
import { paginatedTable } from './list.js';

me.then(() =>
  paginatedTable({
    table: document.getElementById('companies-table'),
    template: document.getElementById('company-row'),
    more: document.getElementById('more'),
    error: document.getElementById('list-error'),
    url: '/api/companies',
    cells: (c) => ({ name: c.name, kind: c.kind === 'msp' ? 'MSP' : 'Client', id: c.id }),
  }),
);
