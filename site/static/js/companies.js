// Companies: the MSP's directory of client companies (staff only).
import { me } from './shell.js';
import { paginatedTable } from './list.js';

me.then(() =>
  paginatedTable({
    id: 'companies',
    url: '/api/companies',
    cells: (c) => ({ name: c.name, kind: c.kind === 'msp' ? 'MSP' : 'Client', id: c.id }),
  }),
);
