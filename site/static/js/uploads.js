// A file's way to storage, as every upload goes: ask `grantPath` for a presigned POST (with
// `grantBody`), post the file straight to storage, then confirm at `confirmPath` with the token.
// Resolves with the confirm's answer; throws an ApiProblem with a clear title.
import { ApiProblem, api } from './api.js';

export async function uploadThrough({ grantPath, grantBody, confirmPath }, file) {
  const grant = await api(grantPath, {
    method: 'POST',
    body: { file_name: file.name || 'pasted-image.png', content_type: file.type || '', size: file.size, ...grantBody },
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value);
  form.append('file', file);
  let response;
  try {
    response = await fetch(grant.upload.url, { method: 'POST', body: form });
  } catch {
    throw new ApiProblem(0, { title: `${file.name} could not be uploaded. Check your connection and try again.` });
  }
  if (!response.ok) throw new ApiProblem(response.status, { title: `${file.name} was refused by the file store.` });
  return api(confirmPath, { method: 'POST', body: { token: grant.token } });
}
