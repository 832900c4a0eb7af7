// Home: greet the user with their company.
import { me } from './shell.js';

me.then((data) => {
  const first = data.user.name.split(' ')[0] || data.user.name;
  document.getElementById('greeting').textContent = `Welcome, ${first}`;
  document.getElementById('company-line').textContent = `${data.company.name} · ${data.user.role_label}`;
});
