// The department portal, enhanced: every tap on the Alt 1 / Alt 2 toggle or a diet box is
// saved at once through the JSON API (PUT with If-Match and the session's CSRF token), the
// day says "Sparat" quietly, and the week's ETag is kept for the next tap. When someone else
// changed the week first (412), the week is read again: if they changed the same day, a panel
// says what they did and offers to keep mine or take theirs; a change to another day is taken
// over and this tap saved on top of it. Without this script every day is a plain form.
(function () {
  'use strict';

  var root = document.querySelector('[data-portal]');
  if (!root || !window.fetch || !window.Promise) {
    return;
  }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var MEALS = ['lunch', 'dinner'];
  var COUNTS = ['residents', 'special', 'normal'];

  function text(name) {
    return root.getAttribute('data-text-' + name) || '';
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function altName(alt) {
    return alt === 'alt2' ? text('alt2') : text('alt1');
  }

  function markBox(card, meal, dietId) {
    return card.querySelector('input[name="mark"][value="' + meal + ':' + dietId + '"]');
  }

  // The day's save message: "Sparar …", "Sparat" or a failure, in the status region.
  function status(card, kind, message) {
    var region = card.querySelector('.save-status');
    if (!region) {
      return;
    }
    var span = document.createElement('span');
    span.className = kind;
    span.textContent = message;
    region.replaceChildren(span);
  }

  function clearConflict(card) {
    var panel = card.querySelector('.conflict');
    if (panel) {
      panel.remove();
    }
  }

  // Shows the week as the server sent it. `keep` is the input the person just changed and
  // that is not saved yet (an open conflict): it keeps what they set; the known server state
  // is updated all the same.
  function applyWeek(section, week, keep) {
    section.setAttribute('data-etag', week.etag);
    section.querySelectorAll('[data-etag-field]').forEach(function (field) {
      field.value = week.etag;
    });
    week.days.forEach(function (day) {
      var card = section.querySelector('[data-day="' + day.day + '"]');
      if (!card) {
        return;
      }
      card.setAttribute('data-choice', day.stored_choice);
      showState(card, day);
      var radio = card.querySelector('input[name="lunch"][value="' + day.choice + '"]');
      var keepChoice = keep && keep.name === 'lunch' && card.contains(keep);
      if (radio && !keepChoice) {
        radio.checked = true;
      }
      day.diets.forEach(function (diet) {
        MEALS.forEach(function (meal) {
          var box = markBox(card, meal, diet.diet_type_id);
          if (!box) {
            return;
          }
          box.setAttribute('data-known', String(diet[meal].stored));
          if (box !== keep) {
            box.checked = diet[meal].stored;
          }
        });
      });
      MEALS.forEach(function (meal) {
        COUNTS.forEach(function (count) {
          var cell = card.querySelector('[data-count="' + meal + '.' + count + '"]');
          if (cell) {
            cell.textContent = String(day[meal][count]);
          }
        });
      });
      var over = card.querySelector('.over-residents');
      if (over) {
        over.hidden = !(day.lunch.over_residents || day.dinner.over_residents);
      }
    });
    showProgress(section, week);
  }

  // The day's badge: chosen (even Alt 1) or falling to the default, in words and a mark.
  function showState(card, day) {
    var badge = card.querySelector('[data-state]');
    if (!badge || !day.alt2_available) {
      return;
    }
    var state = day.chosen ? 'chosen' : 'default';
    badge.className = 'day-state state-' + state;
    card.classList.toggle('is-chosen', day.chosen);
    card.classList.toggle('is-default', !day.chosen);
    badge.querySelector('.state-text').textContent =
      fill(text('state-' + state), { alt: altName(day.choice) });
  }

  // "2 of 5 days chosen, closes …" in the week's head.
  function showProgress(section, week) {
    var line = section.querySelector('[data-progress]');
    if (!line) {
      return;
    }
    var chosen = week.days.filter(function (day) {
      return day.alt2_available && day.chosen;
    }).length;
    line.textContent = fill(line.getAttribute('data-template'), { chosen: String(chosen) });
  }

  function read(section) {
    return fetch(section.getAttribute('data-api'), {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json' }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('read ' + response.status);
      }
      return response.json();
    });
  }

  function put(section, request) {
    return fetch(section.getAttribute('data-api') + request.path, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'if-match': section.getAttribute('data-etag'),
        'x-csrf-token': csrf
      },
      body: JSON.stringify(request.body)
    });
  }

  // The save did not go through: the day says so in words and keeps what the person set, so
  // nothing looks saved that is not. Each cause has its own words; a session that ended is
  // never blamed on the network.
  function notSaved(card, request, message) {
    card.classList.add('is-unsaved');
    request.input.setAttribute('aria-invalid', 'true');
    status(card, 'failed', message);
  }

  function saved(card, request) {
    card.classList.remove('is-unsaved');
    request.input.removeAttribute('aria-invalid');
    status(card, 'saved', text('saved'));
  }

  function save(section, card, request) {
    clearConflict(card);
    status(card, 'saving', text('saving'));
    return put(section, request).then(function (response) {
      if (response.ok) {
        return response.json().then(function (week) {
          applyWeek(section, week);
          saved(card, request);
        });
      }
      if (response.status === 412) {
        return conflict(section, card, request).catch(function () {
          notSaved(card, request, text('not-saved'));
        });
      }
      if (response.status === 401) {
        notSaved(card, request, text('session'));
        if (!window.GalleyReauth) {
          return undefined;
        }
        return window.GalleyReauth.signIn().then(function (token) {
          csrf = token;
          return save(section, card, request);
        }, function () {
          notSaved(card, request, text('session'));
        });
      }
      if (response.status === 403) {
        notSaved(card, request, text('no-access'));
      } else if (response.status === 409) {
        notSaved(card, request, text('changed'));
      } else if (response.status === 422) {
        notSaved(card, request, text('refused'));
      } else {
        notSaved(card, request, text('not-saved'));
      }
      return undefined;
    }, function () {
      notSaved(card, request, text('network'));
    });
  }

  // Whether the fresh week already holds what this tap asked for.
  function alreadyThere(day, request) {
    if (request.kind === 'choice') {
      return day.stored_choice === request.mine;
    }
    var wanted = request.body.marks[0];
    return day.diets.some(function (diet) {
      return diet.diet_type_id === wanted.diet_type_id && diet[wanted.meal].stored === wanted.marked;
    });
  }

  function conflict(section, card, request) {
    return read(section).then(function (week) {
      if (String(week.menu_version || 0) !== section.getAttribute('data-menu-version')) {
        menuMoved(card);
        return undefined;
      }
      var day = week.days[Number(card.getAttribute('data-day')) - 1];
      var choiceMoved = day.stored_choice !== card.getAttribute('data-choice');
      var marksMoved = day.diets.some(function (diet) {
        return MEALS.some(function (meal) {
          var box = markBox(card, meal, diet.diet_type_id);
          return box && String(diet[meal].stored) !== box.getAttribute('data-known');
        });
      });
      // They made the same change as this tap (and nothing else on the day): done.
      if (alreadyThere(day, request) && !(request.kind === 'marks' && choiceMoved)) {
        applyWeek(section, week);
        saved(card, request);
        return undefined;
      }
      if (!choiceMoved && !marksMoved) {
        // They changed another day: take that over and save this tap on top of it.
        applyWeek(section, week, request.input);
        return save(section, card, request);
      }
      applyWeek(section, week, request.input);
      showConflict(section, card, request, day, choiceMoved);
      return undefined;
    });
  }

  function button(label, className, onClick) {
    var element = document.createElement('button');
    element.type = 'button';
    element.className = className;
    element.textContent = label;
    element.addEventListener('click', onClick);
    return element;
  }

  function panel(card, title) {
    clearConflict(card);
    var box = document.createElement('div');
    box.className = 'alert warning conflict';
    box.setAttribute('role', 'alert');
    var heading = document.createElement('strong');
    heading.textContent = title;
    box.appendChild(heading);
    var head = card.querySelector('.day-head');
    head.parentNode.insertBefore(box, head.nextSibling);
    return box;
  }

  function showConflict(section, card, request, day, choiceMoved) {
    var dayName = card.getAttribute('data-day-name');
    var title = choiceMoved
      ? fill(text('conflict-choice'), { alt: altName(day.stored_choice), day: dayName })
      : fill(text('conflict-marks'), { day: dayName });
    var box = panel(card, title);
    var mine = document.createElement('p');
    if (request.kind === 'choice') {
      mine.textContent = fill(text('mine'), { alt: altName(request.mine) });
    } else {
      mine.textContent = fill(text('mine-mark'), {
        diet: request.input.getAttribute('data-diet-name'),
        meal: request.input.getAttribute('data-meal-name'),
        state: request.input.checked ? text('ticked') : text('unticked')
      });
    }
    box.appendChild(mine);
    status(card, 'failed', '');
    var actions = document.createElement('div');
    actions.className = 'cluster';
    var keep = button(text('keep'), 'button', function () {
      section.queue = section.queue.then(function () {
        return save(section, card, request);
      });
    });
    var take = button(text('take'), 'button secondary', function () {
      clearConflict(card);
      section.queue = section.queue.then(function () {
        return read(section).then(function (week) {
          applyWeek(section, week);
          status(card, 'saved', '');
        });
      });
    });
    actions.appendChild(keep);
    actions.appendChild(take);
    box.appendChild(actions);
    keep.focus();
  }

  function menuMoved(card) {
    var box = panel(card, text('menu-moved'));
    var reload = document.createElement('a');
    reload.className = 'button';
    reload.href = window.location.pathname + window.location.search;
    reload.textContent = text('reload');
    box.appendChild(reload);
    status(card, 'failed', '');
  }

  function setUp(section) {
    section.queue = Promise.resolve();
    section.querySelectorAll('input[name="mark"]').forEach(function (box) {
      box.setAttribute('data-known', String(box.checked));
    });
    section.addEventListener('change', function (event) {
      var input = event.target;
      var card = input.closest('[data-day]');
      if (!card) {
        return;
      }
      var day = Number(card.getAttribute('data-day'));
      var request;
      if (input.name === 'lunch') {
        request = { kind: 'choice', input: input, mine: input.value, path: '/choices/' + day, body: { lunch: input.value } };
      } else if (input.name === 'mark') {
        request = {
          kind: 'marks',
          input: input,
          path: '/marks',
          body: {
            marks: [{
              day: day,
              meal: input.getAttribute('data-meal'),
              diet_type_id: Number(input.getAttribute('data-diet')),
              marked: input.checked
            }]
          }
        };
      } else {
        return;
      }
      section.queue = section.queue.then(function () {
        return save(section, card, request);
      });
    });
  }

  root.classList.add('is-live');
  document.querySelectorAll('[data-week]').forEach(setUp);
}());
