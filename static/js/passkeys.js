// A passkey the browser did not make or use (cancelled, unsupported) is said on the page,
// next to the button, instead of only in the console.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const box = document.querySelector('[data-passkey-error]')
    if (box) {
      event.preventDefault()
      box.classList.remove('d-none')
      box.focus()
    }
  })
})()
