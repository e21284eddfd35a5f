// The confirmation dialog before anything changes: a modal <dialog> (the rest of the page is inert), focus
// starts on Cancel (the safe choice), Tab and Shift+Tab stay inside it, Escape cancels, and focus goes back
// to the button that opened it. The answer is taken from the key or click itself, never from the dialog's
// `close` event: that event is queued, so after Escape and a quick reopen it would land on the new dialog.

/** Asks; resolves true only when the admin chose the confirming button. */
export function confirmAction({ title, text, confirmLabel }) {
  const dialog = document.getElementById('confirm');
  const cancel = document.getElementById('confirm-cancel');
  const ok = document.getElementById('confirm-ok');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  ok.textContent = confirmLabel;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const onKey = (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish(false);
      } else if (event.key === 'Tab' && event.shiftKey && document.activeElement === cancel) {
        event.preventDefault();
        ok.focus();
      } else if (event.key === 'Tab' && !event.shiftKey && document.activeElement === ok) {
        event.preventDefault();
        cancel.focus();
      }
    };
    // Other close requests (a device's back gesture) cancel too.
    const onCancelRequest = (event) => {
      event.preventDefault();
      finish(false);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    function finish(answer) {
      dialog.removeEventListener('keydown', onKey);
      dialog.removeEventListener('cancel', onCancelRequest);
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    }
    dialog.addEventListener('keydown', onKey);
    dialog.addEventListener('cancel', onCancelRequest);
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dialog.showModal();
    cancel.focus();
  });
}
