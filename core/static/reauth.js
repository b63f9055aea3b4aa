// Sign in again in place. A page's script calls GalleyReauth.signIn() when a save is answered
// 401 (the session ended): the dialog of templates/reauth.html opens, signs in through the
// JSON API (POST /api/v1/auth/login, same origin, so the cross-site check passes) and resolves
// with the new session's CSRF token; every csrf field and meta tag on the page is updated, so
// the caller retries the save with it. What the person typed stays in the page: nothing
// navigates. Cancel rejects. Several saves waiting at once share one dialog.
(function () {
  'use strict';

  var pending = null;

  function update(token) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      meta.setAttribute('content', token);
    }
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (field) {
      field.value = token;
    });
  }

  function open() {
    var dialog = document.querySelector('dialog[data-reauth]');
    if (!dialog || typeof dialog.showModal !== 'function') {
      return Promise.reject(new Error('no dialog'));
    }
    var form = dialog.querySelector('form');
    var error = dialog.querySelector('#reauth-error');
    var email = dialog.querySelector('input[name="email"]');
    var password = dialog.querySelector('input[name="password"]');
    var cancel = dialog.querySelector('[data-reauth-cancel]');
    var submit = form.querySelector('button[type="submit"]');
    return new Promise(function (resolve, reject) {
      function fail(message) {
        error.textContent = message;
        error.hidden = false;
        submit.disabled = false;
        password.value = '';
        password.setAttribute('aria-invalid', 'true');
        password.focus();
      }
      function finish() {
        form.removeEventListener('submit', onSubmit);
        cancel.removeEventListener('click', onCancel);
        dialog.removeEventListener('cancel', onCancel);
        error.hidden = true;
        password.value = '';
        password.removeAttribute('aria-invalid');
        submit.disabled = false;
        if (dialog.open) {
          dialog.close();
        }
      }
      function onCancel(event) {
        event.preventDefault();
        finish();
        reject(new Error('cancelled'));
      }
      function onSubmit(event) {
        event.preventDefault();
        submit.disabled = true;
        fetch('/api/v1/auth/login', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ email: email.value.trim(), password: password.value })
        }).then(function (response) {
          if (!response.ok) {
            fail(dialog.getAttribute('data-text-failed'));
            return undefined;
          }
          return response.json().then(function (me) {
            update(me.csrf_token || '');
            finish();
            resolve(me.csrf_token || '');
          });
        }, function () {
          fail(dialog.getAttribute('data-text-network'));
        });
      }
      form.addEventListener('submit', onSubmit);
      cancel.addEventListener('click', onCancel);
      dialog.addEventListener('cancel', onCancel);
      error.hidden = true;
      dialog.showModal();
      (email.value ? password : email).focus();
    });
  }

  window.GalleyReauth = {
    // Resolves with the new CSRF token once the person has signed in again.
    signIn: function () {
      if (!pending) {
        pending = open().then(function (token) {
          pending = null;
          return token;
        }, function (error) {
          pending = null;
          throw error;
        });
      }
      return pending;
    }
  };
}());
