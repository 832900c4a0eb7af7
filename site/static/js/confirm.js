// Asking before something that cannot be taken back (or that moves money): a modal <dialog> that
// says what will happen, with the action named on its button and a way out that changes nothing.
// Escape, the way-out button and closing the dialog all answer false.

let dialog = null;

function build() {
  dialog = document.createElement('dialog');
  dialog.id = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-text');
  dialog.innerHTML = `<article>
    <h2 id="confirm-title"></h2>
    <p id="confirm-text"></p>
    <footer>
      <button type="button" class="secondary" id="confirm-no"></button>
      <button type="button" id="confirm-yes"></button>
    </footer>
  </article>`;
  document.body.append(dialog);
}

// Ask; true when the user chose `yes`. `text` may be several sentences; `danger` marks the
// action's button as destructive.
export function confirmAction({ title, text, yes, no = 'Keep it as it is', danger = false }) {
  if (!dialog) build();
  dialog.querySelector('#confirm-title').textContent = title;
  dialog.querySelector('#confirm-text').textContent = text;
  const yesButton = dialog.querySelector('#confirm-yes');
  const noButton = dialog.querySelector('#confirm-no');
  yesButton.textContent = yes;
  yesButton.classList.toggle('danger', danger);
  noButton.textContent = no;
  return new Promise((resolve) => {
    const answer = (value) => () => {
      dialog.returnValue = value;
      dialog.close();
    };
    const onYes = answer('yes');
    const onNo = answer('no');
    yesButton.addEventListener('click', onYes);
    noButton.addEventListener('click', onNo);
    dialog.addEventListener('close', () => {
      yesButton.removeEventListener('click', onYes);
      noButton.removeEventListener('click', onNo);
      resolve(dialog.returnValue === 'yes');
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    // The safe choice has the focus: Enter never does the irreversible thing by accident.
    noButton.focus();
  });
}
