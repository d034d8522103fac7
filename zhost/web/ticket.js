// zhost ticket view: renders the ticket and the Slack channel, and plays the ZAF parent frame
// for the app iframe (ZAF.md §1.2–1.5). All data is inserted with textContent/createElement.
(function () {
  'use strict';

  var boot = JSON.parse(document.getElementById('zhost-boot').textContent);
  var frame = document.getElementById('app-frame');
  var appOrigin = boot.appOrigin;
  var appGuid = (window.crypto && window.crypto.randomUUID)
    ? window.crypto.randomUUID()
    : 'zhost-' + Math.random().toString(16).slice(2) + '-' + Date.now().toString(16);

  // Test hooks (CONTRACTS.md §2). requests: every client.request options object, in order.
  var zhost = window.zhost = {
    appGuid: appGuid,
    requests: [],      // options objects of every client.request
    responses: [],     // {id, status} of every answered request
    events: [],        // {dir:'in'|'out', key, message} for every non-RPC message
    gets: [],          // paths of every client.get
    sets: [],          // {path, value} of every client.set
    invocations: [],   // {name, args} of every client.invoke
    notifications: [], // {message, kind}
    registered: false,
    emit: emit,
    fireHook: fireHook,
  };

  // ------------------------------------------------------------------ helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function initials(name) {
    return String(name || '?').split(/\s+/).filter(Boolean).slice(0, 2)
      .map(function (w) { return w.charAt(0).toUpperCase(); }).join('') || '?';
  }
  var worldOffset = boot.worldNowMs - Date.now();
  function worldNow() { return Date.now() + worldOffset; }
  function fmtTime(ms) {
    var d = new Date(ms);
    if (isNaN(d.getTime())) return '';
    return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  }
  function agentQS() {
    return 'ticket=' + encodeURIComponent(boot.ticketId) + '&agent=' + encodeURIComponent(boot.agentId) +
      (boot.account ? '&account=' + encodeURIComponent(boot.account) : '');
  }
  function getJSON(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ' → HTTP ' + r.status);
      return r.json();
    });
  }

  // ------------------------------------------------------------------ chrome
  document.getElementById('app-title').textContent = boot.appName || 'App';
  var sw = document.getElementById('agent-switch');
  (boot.agents || []).forEach(function (a) {
    var o = el('option', null, a.name + ' (#' + a.id + ')');
    o.value = String(a.id);
    if (a.id === boot.agentId) o.selected = true;
    sw.appendChild(o);
  });
  sw.addEventListener('change', function () {
    location.href = '/tickets/' + encodeURIComponent(boot.ticketId) + '?agent=' + encodeURIComponent(sw.value) +
      (boot.account ? '&account=' + encodeURIComponent(boot.account) : '');
  });
  var clock = document.getElementById('world-clock');
  function tick() { clock.textContent = fmtTime(worldNow()); }
  tick();
  setInterval(tick, 1000);

  function toast(message, kind, duration) {
    var box = document.getElementById('zhost-toasts');
    var t = el('div', 'toast ' + (kind === 'error' || kind === 'alert' ? kind : 'notice'), message);
    box.appendChild(t);
    var ms = typeof duration === 'number' ? duration : 5000;
    if (!(duration && typeof duration === 'object' && duration.sticky)) {
      setTimeout(function () { if (t.parentNode) t.parentNode.removeChild(t); }, ms);
    }
  }

  // ------------------------------------------------------------------ ticket + conversation
  var lastView = '';
  var lastUpdatedAt = null;
  function renderTicket(v) {
    var t = v.ticket, users = v.users || {};
    function uname(id) { var u = users[String(id)]; return u ? u.name : (id == null ? '-' : 'User ' + id); }
    document.title = '#' + t.id + ' ' + t.subject + ' · Zendesk (local host)';
    document.getElementById('ticket-tab').textContent = '#' + t.id + ' ' + t.subject;
    document.getElementById('ticket-subject').textContent = t.subject;
    document.getElementById('ticket-id').textContent = '#' + t.id;
    var st = document.getElementById('ticket-status');
    st.textContent = t.status || '';
    st.className = 'badge status status-' + (t.status || '');
    var pr = document.getElementById('ticket-priority');
    pr.textContent = t.priority || '-';
    pr.className = 'badge prio-' + (t.priority || 'none');
    document.getElementById('prop-requester').textContent = uname(t.requester_id);
    document.getElementById('prop-organization').textContent = v.organization ? v.organization.name : '-';
    document.getElementById('prop-assignee').textContent = t.assignee_id ? uname(t.assignee_id) : '-';
    document.getElementById('prop-group').textContent = v.group ? v.group.name : '-';
    document.getElementById('prop-type').textContent = t.type || '-';
    document.getElementById('prop-priority').textContent = t.priority || '-';
    // The editor shows the saved values unless the agent is editing them.
    if (!Object.prototype.hasOwnProperty.call(overlay, 'ticket.priority')) {
      document.getElementById('edit-priority').value = t.priority || '';
    }
    if (!Object.prototype.hasOwnProperty.call(overlay, 'ticket.tags')) {
      document.getElementById('edit-tags').value = (t.tags || []).join(' ');
    }
    if (!Object.prototype.hasOwnProperty.call(overlay, 'ticket.assignee')) {
      document.getElementById('edit-assignee').value = t.assignee_id ? String(t.assignee_id) : '';
    }
    document.getElementById('prop-updated').textContent = t.updated_at || '';
    var tags = document.getElementById('prop-tags');
    clear(tags);
    (t.tags || []).forEach(function (tag) { tags.appendChild(el('span', 'tag', tag)); });

    var list = document.getElementById('comments');
    var stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
    clear(list);
    (v.comments || []).forEach(function (c) {
      var li = el('li', 'comment' + (c.public === false ? ' internal' : ''));
      li.dataset.commentId = String(c.id);
      var author = uname(c.author_id);
      li.appendChild(el('div', 'avatar', initials(author)));
      var main = el('div');
      var head = el('div', 'head');
      head.appendChild(el('span', 'author', author));
      if (c.public === false) head.appendChild(el('span', 'kind', 'Internal note'));
      head.appendChild(el('span', 'when', c.created_at || ''));
      main.appendChild(head);
      main.appendChild(el('div', 'body', c.plain_body != null ? c.plain_body : c.body));
      li.appendChild(main);
      list.appendChild(li);
    });
    if (stick) list.scrollTop = list.scrollHeight;
  }
  function pollTicket() {
    var since = lastView ? '&since=' + encodeURIComponent(lastView) : '';
    return getJSON('/_zhost/ticket_view?' + agentQS() + since).then(function (v) {
      if (v.unchanged) return;
      if (v.version !== lastView) {
        lastView = v.version;
        renderTicket(v);
      }
      var upd = v.ticket && v.ticket.updated_at;
      if (lastUpdatedAt !== null && upd !== lastUpdatedAt) {
        emit('ticket.updated', { ticketId: boot.ticketId, updatedAt: upd }, true);
      }
      lastUpdatedAt = upd;
    }).catch(function (e) { console.warn('zhost: ticket poll failed', e); });
  }

  // ------------------------------------------------------------------ Slack panel
  var lastSlack = '';
  function slackText(container, text, users) {
    // Slack mrkdwn control sequences: <@U…>, <#C…|name>, <!here>, <url|label>; &amp; &lt; &gt;.
    var re = /<([^<>]+)>/g, last = 0, m;
    function plain(s) {
      container.appendChild(document.createTextNode(
        s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')));
    }
    while ((m = re.exec(text)) !== null) {
      plain(text.slice(last, m.index));
      last = re.lastIndex;
      var inner = m[1], bar = inner.indexOf('|');
      var target = bar >= 0 ? inner.slice(0, bar) : inner;
      var label = bar >= 0 ? inner.slice(bar + 1) : null;
      if (target.charAt(0) === '@') {
        var id = target.slice(1);
        container.appendChild(el('span', 'mention', '@' + (users[id] || label || id)));
      } else if (target.charAt(0) === '#') {
        container.appendChild(el('span', 'mention', '#' + (label || target.slice(1))));
      } else if (target.charAt(0) === '!') {
        container.appendChild(el('span', 'mention', '@' + (label || target.slice(1).split('^')[0])));
      } else if (/^https?:\/\//i.test(target)) {
        var a = el('a', null, label || target);
        a.href = target;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        container.appendChild(a);
      } else {
        plain('<' + inner + '>');
      }
    }
    plain(text.slice(last));
  }
  function slackMessage(m, cls, users) {
    var li = el('li', cls);
    li.dataset.ts = m.ts;
    var head = el('div', 'head');
    head.appendChild(el('span', 'author', m.author || m.user || m.bot_id || '?'));
    if (m.bot_id) head.appendChild(el('span', 'app-badge', 'APP'));
    var secs = parseFloat(m.ts);
    head.appendChild(el('span', 'when', isNaN(secs) ? '' : fmtTime(secs * 1000).slice(11)));
    li.appendChild(head);
    var text = el('div', 'text');
    slackText(text, String(m.text || ''), users);
    li.appendChild(text);
    if (m.metadata && m.metadata.event_type) {
      var p = m.metadata.event_payload || {};
      li.appendChild(el('div', 'meta-tag', 'metadata: ' + m.metadata.event_type +
        (p.action ? ' · ' + p.action : '') + (p.ticket_id != null ? ' · ticket ' + p.ticket_id : '')));
    }
    return li;
  }
  function renderSlack(ch) {
    var users = ch.users || {};
    document.getElementById('slack-channel-name').textContent = '# ' + (ch.name || ch.id);
    var list = document.getElementById('slack-messages');
    var stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
    clear(list);
    if (!ch.messages || ch.messages.length === 0) {
      list.appendChild(el('li', 'slack-empty', 'No messages in this channel yet.'));
    }
    (ch.messages || []).forEach(function (m) {
      var li = slackMessage(m, 'slack-message', users);
      if (m.replies && m.replies.length) {
        li.appendChild(el('div', 'slack-thread-summary',
          m.replies.length + (m.replies.length === 1 ? ' reply' : ' replies')));
        var thread = el('ol', 'slack-thread');
        m.replies.forEach(function (r) { thread.appendChild(slackMessage(r, 'slack-reply', users)); });
        li.appendChild(thread);
      }
      list.appendChild(li);
    });
    if (stick) list.scrollTop = list.scrollHeight;
  }
  function pollSlack() {
    if (!boot.channelId) {
      document.getElementById('slack-channel-name').textContent = '(no slack_channel_id setting)';
      return Promise.resolve();
    }
    return fetch('/_emulator/slack/channel?id=' + encodeURIComponent(boot.channelId), { cache: 'no-store' })
      .then(function (r) {
        if (r.status === 404) {
          document.getElementById('slack-channel-name').textContent = boot.channelId + ' (no such channel)';
          return null;
        }
        return r.json();
      })
      .then(function (ch) {
        if (!ch) return;
        var key = JSON.stringify(ch);
        if (key !== lastSlack) { lastSlack = key; renderSlack(ch); }
      })
      .catch(function (e) { console.warn('zhost: slack poll failed', e); });
  }

  // ------------------------------------------------------------------ ZAF parent
  var subscribers = {};     // event name → subscriberCount
  var overlay = {};         // unsaved client.set values (ticket editor state)
  var pendingHooks = {};    // hook name → resolve

  function send(msg) {
    if (!frame.contentWindow) return;
    frame.contentWindow.postMessage(JSON.stringify(msg), appOrigin);
  }
  function emit(name, payload, onlyIfSubscribed) {
    if (onlyIfSubscribed && !subscribers[name]) return false;
    var msg = { key: 'zaf.' + name, message: payload };
    zhost.events.push({ dir: 'out', key: msg.key, message: payload });
    send(msg);
    return true;
  }
  function fireHook(name) {
    return new Promise(function (resolve) {
      pendingHooks[name] = resolve;
      zhost.events.push({ dir: 'out', key: 'zaf.' + name, needsReply: true });
      send({ key: 'zaf.' + name, needsReply: true });
    });
  }

  // `ticket.comments` is fetched only for a call that asks for it (big tickets stay fast).
  function zafData(withComments) { return getJSON('/_zaf/data?' + agentQS() + (withComments ? '&comments=1' : '')); }

  var MISSING = {};
  function lookup(data, path) {
    if (Object.prototype.hasOwnProperty.call(overlay, path)) return overlay[path];
    if (Object.prototype.hasOwnProperty.call(data, path)) {
      // An object (`ticket`) shows the agent's unsaved edits of its fields (`ticket.priority`).
      var whole = data[path];
      if (whole && typeof whole === 'object' && !Array.isArray(whole)) {
        Object.keys(overlay).forEach(function (k) {
          var rest = k.slice(path.length + 1);
          if (k.indexOf(path + '.') === 0 && rest.indexOf('.') < 0) {
            whole = Object.assign({}, whole);
            whole[rest] = overlay[k];
          }
        });
      }
      return whole;
    }
    // Walk from the longest known prefix: ticket.requester.email, currentUser.locale, …
    var parts = path.split('.');
    for (var i = parts.length - 1; i > 0; i--) {
      var prefix = parts.slice(0, i).join('.');
      var base = Object.prototype.hasOwnProperty.call(overlay, prefix) ? overlay[prefix] : data[prefix];
      if (base !== undefined) {
        var v = base;
        for (var j = i; j < parts.length; j++) {
          if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, parts[j])) return MISSING;
          v = v[parts[j]];
        }
        return v;
      }
    }
    return MISSING;
  }
  function noSuchApi(path) { return { name: 'APIUnavailable', message: 'No such Api', path: path }; }

  function register() {
    zafData().then(function (d) {
      var context = Object.assign({ instanceGuid: appGuid }, d.context);
      send({ key: 'zaf.app.registered', message: { context: context, metadata: d.metadata } });
      zhost.registered = true;
      zhost.events.push({ dir: 'out', key: 'zaf.app.registered', message: { context: context, metadata: d.metadata } });
    }).catch(function (e) { console.error('zhost: cannot register the app', e); });
  }

  // client.set from the app: the same unsaved edit as the page's own editor makes.
  function applySet(path, value, data) {
    var old = lookup(data, path);
    edit(path, value, old === MISSING ? undefined : old);
  }

  // ------------------------------------------------------------------ editing the ticket
  // As in Zendesk: a change shows at once and fires `ticket.<field>.changed` (and `*.changed`)
  // to the app, unsaved; Submit saves it through the REST API, and every tab's poll then sees
  // the new `updated_at` and fires `ticket.updated`.
  function edit(path, value, old) {
    if (arguments.length < 3) old = Object.prototype.hasOwnProperty.call(overlay, path) ? overlay[path] : undefined;
    overlay[path] = value;
    document.getElementById('edit-state').textContent = 'Unsaved changes';
    emit(path + '.changed', value, true);
    emit('*.changed', { propertyName: path, newValue: value, oldValue: old }, true);
  }
  document.getElementById('edit-priority').addEventListener('change', function (e) {
    edit('ticket.priority', e.target.value || null);
  });
  document.getElementById('edit-tags').addEventListener('change', function (e) {
    edit('ticket.tags', e.target.value.split(/[\s,]+/).filter(Boolean));
  });
  // The assignee as ZAF shows it: {user, group}; `ticket.assignee.changed` carries it.
  var assigneeSelect = document.getElementById('edit-assignee');
  (boot.agents || []).forEach(function (a) {
    var o = document.createElement('option');
    o.value = String(a.id);
    o.textContent = a.name;
    assigneeSelect.appendChild(o);
  });
  assigneeSelect.addEventListener('change', function (e) {
    var id = Number(e.target.value);
    var agent = (boot.agents || []).find(function (a) { return a.id === id; });
    edit('ticket.assignee', { user: agent ? { id: agent.id, name: agent.name } : null, group: null });
  });
  document.getElementById('ticket-edit').addEventListener('submit', function (e) {
    e.preventDefault();
    var changes = {};
    if (Object.prototype.hasOwnProperty.call(overlay, 'ticket.priority')) changes.priority = overlay['ticket.priority'];
    if (Object.prototype.hasOwnProperty.call(overlay, 'ticket.tags')) changes.tags = overlay['ticket.tags'];
    if (Object.prototype.hasOwnProperty.call(overlay, 'ticket.assignee')) {
      var user = overlay['ticket.assignee'].user;
      changes.assignee_id = user ? user.id : null;
    }
    fetch('/api/v2/tickets/' + encodeURIComponent(boot.ticketId) + '.json', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Zhost-Agent': String(boot.agentId), 'X-Zhost-Account': boot.account || '' },
      body: JSON.stringify({ ticket: changes }),
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      delete overlay['ticket.priority'];
      delete overlay['ticket.tags'];
      delete overlay['ticket.assignee'];
      document.getElementById('edit-state').textContent = 'Saved';
      return pollTicket();
    }).catch(function (err) {
      document.getElementById('edit-state').textContent = 'Not saved: ' + err.message;
    });
  });
  window.addEventListener('focus', function () { emit('app.activated', { firstLoad: false }, true); });

  function invokeOne(name, args, data, result) {
    zhost.invocations.push({ name: name, args: args });
    switch (name) {
      case 'resize': {
        var o = args[0] || {};
        if (o.height !== undefined) {
          frame.style.height = typeof o.height === 'number' ? o.height + 'px' : String(o.height);
        }
        result[name] = null;
        return;
      }
      case 'notify': {
        zhost.notifications.push({ message: args[0], kind: args[1] || 'notice' });
        toast(String(args[0] == null ? '' : args[0]), args[1], args[2]);
        result[name] = null;
        return;
      }
      case 'track':
      case 'app.show':
      case 'app.hide':
      case 'app.close':
        result[name] = null;
        return;
      case 'comment.appendText':
      case 'ticket.comment.appendText':
      case 'comment.appendMarkdown':
      case 'ticket.comment.appendMarkdown':
      case 'comment.appendHtml':
      case 'ticket.comment.appendHtml': {
        var ed = document.getElementById('reply-editor');
        var text = String(args[0] == null ? '' : args[0]);
        if (/appendHtml$/.test(name)) {
          // Parsed in an inert document; only its text is used.
          text = new DOMParser().parseFromString(text, 'text/html').body.textContent || '';
        }
        ed.value += text;
        result[name] = null;
        return;
      }
      case 'ticket.tags.add':
      case 'ticket.tags.remove': {
        var cur = lookup(data, 'ticket.tags');
        var tags = Array.isArray(cur) ? cur.slice() : [];
        var list = Array.isArray(args[0]) ? args[0] : args;
        list.forEach(function (t) {
          t = String(t);
          var i = tags.indexOf(t);
          if (name === 'ticket.tags.add' && i < 0) tags.push(t);
          if (name === 'ticket.tags.remove' && i >= 0) tags.splice(i, 1);
        });
        applySet('ticket.tags', tags, data);
        result[name] = null;
        return;
      }
      default:
        if (/^ticketFields:/.test(name)) { result[name] = null; return; }
        result.errors[name] = noSuchApi(name);
    }
  }

  function handleRpc(d) {
    var id = d.id, kind = d.request, params = d.params;
    var names = kind === 'get' ? (Array.isArray(params) ? params : [params])
      : kind === 'set' || kind === 'invoke' ? Object.keys(params || {}) : [];
    var withComments = names.some(function (p) { return /^ticket\.comments/.test(String(p)); });
    zafData(withComments).then(function (bundle) {
      var data = bundle.data, result = { errors: {} };
      if (kind === 'get') {
        var paths = Array.isArray(params) ? params : [params];
        paths.forEach(function (p) {
          p = String(p);
          zhost.gets.push(p);
          // The reply editor's draft (what `comment.appendText` added, and what was typed).
          var v = /^(ticket\.)?comment\.text$/.test(p) ? document.getElementById('reply-editor').value : lookup(data, p);
          if (v === MISSING) result.errors[p] = noSuchApi(p);
          else result[p] = v;
        });
      } else if (kind === 'set') {
        Object.keys(params || {}).forEach(function (p) {
          zhost.sets.push({ path: p, value: params[p] });
          if (lookup(data, p) === MISSING && !/^ticket\./.test(p)) { result.errors[p] = noSuchApi(p); return; }
          applySet(p, params[p], data);
          result[p] = params[p];
        });
      } else if (kind === 'invoke') {
        Object.keys(params || {}).forEach(function (name) {
          var args = params[name];
          invokeOne(name, Array.isArray(args) ? args : [args], data, result);
        });
      } else {
        send({ id: id, error: { name: 'UnknownRequest', message: 'Unknown request ' + kind } });
        return;
      }
      send({ id: id, result: result });
    }).catch(function (e) {
      send({ id: id, error: { name: 'HostError', message: String(e && e.message || e) } });
    });
  }

  function handleRequest(rid, opts) {
    if (typeof opts === 'string') opts = { url: opts };
    opts = opts || {};
    zhost.requests.push(JSON.parse(JSON.stringify(opts)));
    function reply(suffix, args) {
      zhost.responses.push({ id: rid, outcome: suffix, status: args[0] && args[0].status });
      send({ key: 'zaf.request:' + rid + '.' + suffix, message: { responseArgs: args } });
    }
    fetch('/_zaf/request', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ options: opts, ticket: boot.ticketId, agent: boot.agentId, account: boot.account || null }),
    }).then(function (r) { return r.json(); }).then(function (r) {
      var status = r.status, text = r.body || '', headers = r.headers || {};
      var json, parsed = false;
      var ct = String(headers['content-type'] || '');
      if (text !== '') {
        try { json = JSON.parse(text); parsed = true; } catch (e) { parsed = false; }
      }
      var xhr = { status: status, statusText: r.statusText || (status === 0 ? 'error' : ''), responseText: text, readyState: 4, headers: headers };
      if (parsed) xhr.responseJSON = json;
      var ok = (status >= 200 && status < 300) || status === 304;
      if (opts.httpCompleteResponse) {
        var full = { status: status, headers: headers, responseText: text };
        if (parsed) full.responseJSON = json;
        reply('done', [full, ok ? 'success' : 'error', xhr]);
        return;
      }
      if (!ok) { reply('fail', [xhr, 'error', status === 0 ? '' : xhr.statusText]); return; }
      var wantsJson = opts.dataType === 'json' || (!opts.dataType && /json/i.test(ct));
      if (status === 204 || text === '') { reply('done', [undefined, 'nocontent', xhr]); return; }
      if (wantsJson) {
        if (!parsed) { reply('fail', [xhr, 'parsererror', 'SyntaxError: invalid JSON']); return; }
        reply('done', [json, 'success', xhr]);
        return;
      }
      reply('done', [text, 'success', xhr]);
    }).catch(function (e) {
      reply('fail', [{ status: 0, statusText: 'error', responseText: '', readyState: 0 }, 'error', String(e && e.message || e)]);
    });
  }

  window.addEventListener('message', function (ev) {
    if (ev.source !== frame.contentWindow || ev.origin !== appOrigin) return;
    var d = ev.data;
    if (typeof d === 'string') {
      try { d = JSON.parse(d); } catch (e) { return; }
    }
    if (!d || typeof d !== 'object') return;
    if (d.id && d.request) { handleRpc(d); return; }
    var key = d.key;
    if (typeof key !== 'string') return;
    if (key !== 'session.live' && key !== '__track__' && key.indexOf('request:') !== 0) {
      zhost.events.push({ dir: 'in', key: key, message: d.message });
    }
    if (key === 'iframe.handshake') { register(); return; }
    if (key.indexOf('iframe.on:') === 0) {
      var name = key.slice('iframe.on:'.length);
      subscribers[name] = (d.message && d.message.subscriberCount) || 1;
      if (name === 'app.activated') emit('app.activated', { firstLoad: true });
      return;
    }
    if (key.indexOf('iframe.off:') === 0) {
      var off = key.slice('iframe.off:'.length);
      var n = d.message && d.message.subscriberCount;
      if (n) subscribers[off] = n; else delete subscribers[off];
      return;
    }
    if (key.indexOf('iframe.reply:') === 0) {
      var hook = key.slice('iframe.reply:'.length);
      if (pendingHooks[hook]) { pendingHooks[hook](d.error ? { ok: false, error: d.error } : { ok: true }); delete pendingHooks[hook]; }
      return;
    }
    if (key.indexOf('request:') === 0) { handleRequest(key.slice('request:'.length), d.message); return; }
    // iframe.trigger:*, session.live, __track__: recorded above, nothing to answer.
  });

  // Load the app only after the listener is in place, so the handshake cannot be missed.
  frame.src = boot.appOrigin + boot.appPath + '?origin=' + encodeURIComponent(boot.hostOrigin) +
    '&app_guid=' + encodeURIComponent(appGuid);

  pollTicket();
  pollSlack();
  setInterval(pollTicket, 1000);
  setInterval(pollSlack, 1000);
})();
