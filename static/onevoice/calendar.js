// The plan's calendar: FullCalendar fed by the events endpoint; drag and drop reschedules through the
// move endpoint, which checks rights, the past and the post's version; a refused move is undone.
(function () {
  "use strict";
  const el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  const data = el.dataset;
  const canPlan = data.canPlan === "1";
  const phone = window.matchMedia("(max-width: 767.98px)");
  // "Now" as the plan's wall clock (the calendar runs in UTC mode, see wallClock below).
  const loadedAt = Date.now();
  const serverNow = Date.parse(`${data.now}Z`);
  const now = () => new Date(Number.isNaN(serverNow) ? Date.now() : serverNow + (Date.now() - loadedAt));
  const NETWORK_ICONS = { bluesky: "bi-bluesky", mastodon: "bi-mastodon", newsroom: "bi-rss" };
  const STATUS_ICONS = {
    idea: "bi-lightbulb",
    draft: "bi-pencil",
    in_review: "bi-hourglass-split",
    changes_requested: "bi-exclamation-circle",
    approved: "bi-check2",
    scheduled: "bi-clock",
    published: "bi-check2-all",
    failed: "bi-x-octagon",
    withdrawn: "bi-slash-circle",
  };

  // A Bootstrap toast: green for a move that worked, red (and announced at once) for one refused.
  const toastEl = document.getElementById("plan-toast");
  const message = document.getElementById("plan-message");
  const say = (text, ok) => {
    message.textContent = text;
    toastEl.classList.remove("text-bg-success", "text-bg-danger");
    toastEl.classList.add(ok ? "text-bg-success" : "text-bg-danger");
    toastEl.setAttribute("role", ok ? "status" : "alert");
    toastEl.setAttribute("aria-live", ok ? "polite" : "assertive");
    toastEl.querySelector(".btn-close").classList.add("btn-close-white");
    if (window.bootstrap) window.bootstrap.Toast.getOrCreateInstance(toastEl).show();
    else toastEl.classList.add("show");
  };

  const move = async (post, version, start) => {
    let response;
    try {
      response = await fetch(data.move, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf },
        body: JSON.stringify({ post: post, version: version, start: start }),
      });
    } catch (error) {
      throw new Error(data.msgMoveFailed);
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || data.msgMoveFailed);
    return answer;
  };

  // The calendar runs in "UTC" mode and the server sends wall-clock times of the plan's time zone, so
  // what people see does not depend on the browser's zone: the UTC fields are that wall clock.
  const wallClock = (date) => {
    const pad = (n) => String(n).padStart(2, "0");
    return (
      `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
      `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
    );
  };

  const icon = (name) => {
    const i = document.createElement("i");
    i.className = `bi ${name}`;
    i.setAttribute("aria-hidden", "true");
    return i;
  };

  const span = (className, text) => {
    const s = document.createElement("span");
    s.className = className;
    if (text) s.textContent = text;
    return s;
  };

  const statusPill = (props) => {
    const pill = span(`ov-pill ov-pill-${props.statusCode}`);
    pill.append(icon(STATUS_ICONS[props.statusCode] || "bi-circle"), document.createTextNode(props.status));
    return pill;
  };

  const channelIcons = (channels, named) => {
    const icons = span("ov-event-icons");
    for (const channel of channels) {
      const one = span("ov-channel");
      one.append(icon(NETWORK_ICONS[channel.network] || "bi-broadcast"));
      if (named) one.append(document.createTextNode(" " + channel.name));
      else one.title = channel.name;
      icons.append(one);
    }
    return icons;
  };

  // Month: time and channel icons, the title on its own lines, the status. Week: time and title, status.
  // Lists: title, then status, department and the channels by name.
  const eventContent = (arg) => {
    const p = arg.event.extendedProps;
    const type = arg.view.type;
    const wrap = span("ov-event");
    const title = span("ov-event-title");
    const meta = span("ov-event-meta");
    if (type.startsWith("list")) {
      title.append(span("ov-event-name", arg.event.title));
      meta.append(statusPill(p), span("ov-event-department", p.department));
      if (p.channels.length) meta.append(channelIcons(p.channels, true));
      wrap.append(title, meta);
    } else if (type.startsWith("dayGrid")) {
      const head = span("ov-event-head");
      head.append(span("ov-event-time", arg.timeText), channelIcons(p.channels, false));
      title.append(span("ov-event-name", arg.event.title));
      meta.append(statusPill(p));
      wrap.append(head, title, meta);
    } else {
      title.append(span("ov-event-time", arg.timeText), document.createTextNode(" "));
      title.append(span("ov-event-name", arg.event.title));
      meta.append(statusPill(p));
      wrap.append(title, meta);
    }
    return { domNodes: [wrap] };
  };

  // A light tint of the event's colour as background with a strong bar in the colour itself: dark text
  // stays readable on every department, campaign or topic colour.
  const tint = (hex, amount) => {
    const n = parseInt((hex || "#6c757d").slice(1), 16);
    const mix = (c) => Math.round(c + (255 - c) * (1 - amount));
    return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
  };

  // Phones get the list and a smaller toolbar; the month grid stays one tap away.
  function toolbars(small) {
    return small
      ? {
          headerToolbar: { left: "prev,next", center: "title", right: "today" },
          footerToolbar: { center: "listWeek,dayGridMonth,timeGridDay" },
        }
      : {
          headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
          footerToolbar: false,
        };
  }

  const calendar = new FullCalendar.Calendar(el, {
    locale: data.locale === "de" ? "de" : "en-gb",
    timeZone: "UTC",
    initialView: phone.matches ? "listWeek" : "dayGridMonth",
    initialDate: data.initialDate || undefined,
    now: now,
    ...toolbars(phone.matches),
    firstDay: 1,
    eventDisplay: "block", // a coloured block in the month view too, not a dot
    // FullCalendar's arrow icons are role="img" without a name; the buttons carry the name already.
    datesSet: () => el.querySelectorAll(".fc-icon").forEach((i) => i.setAttribute("aria-hidden", "true")),
    height: "auto",
    dayMaxEvents: 4,
    nowIndicator: true,
    allDaySlot: false,
    scrollTime: "07:00:00",
    slotMinTime: "05:00:00",
    slotMaxTime: "23:00:00",
    defaultTimedEventDuration: "01:00",
    displayEventEnd: false,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events: { url: data.events, failure: () => say(data.msgLoadFailed, false) },
    loading: (busy) => el.setAttribute("aria-busy", busy ? "true" : "false"),
    // Each event says itself whether this person may move it (the server decides).
    editable: canPlan,
    droppable: canPlan,
    eventDurationEditable: false,
    eventDataTransform: (event) => ({
      ...event,
      backgroundColor: tint(event.color, 0.16),
      borderColor: event.color,
      textColor: "#1f2933",
    }),
    eventClassNames: (arg) => [`ov-status-${arg.event.extendedProps.statusCode}`],
    eventContent: eventContent,
    eventDidMount: (info) => {
      const p = info.event.extendedProps;
      const channels = p.channels.map((c) => c.name).join(", ");
      const label = [info.timeText, info.event.title, p.status, p.department, channels].filter(Boolean).join(" · ");
      info.el.setAttribute("title", label);
      if (info.el.tagName === "A") info.el.setAttribute("aria-label", label);
      info.el.dataset.post = info.event.id;
      info.el.dataset.editable = p.mayEdit ? "1" : "0";
    },
    dateClick: canPlan && data.new
      ? (info) => {
          // Plan a post on the day (10:00) or at the time slot clicked.
          const start = new Date(info.date);
          if (info.allDay) start.setUTCHours(10, 0);
          window.location.href = `${data.new}?date=${encodeURIComponent(wallClock(start))}`;
        }
      : undefined,
    eventDrop: async (info) => {
      // A month-view move keeps the time of day; the week view moves to the slot it was dropped on.
      if (info.event.allDay) {
        info.revert();
        return;
      }
      try {
        const answer = await move(info.event.id, info.event.extendedProps.version, wallClock(info.event.start));
        info.event.setExtendedProp("version", answer.version);
        say(answer.message, true);
        calendar.refetchEvents(); // status may have changed (approved posts go back to review)
      } catch (error) {
        info.revert();
        say(error.message, false);
      }
    },
    drop: async (info) => {
      const item = info.draggedEl;
      const start = new Date(info.date);
      if (info.allDay) start.setUTCHours(10, 0);
      try {
        const answer = await move(item.dataset.post, item.dataset.version, wallClock(start));
        item.remove();
        say(answer.message, true);
        calendar.refetchEvents();
      } catch (error) {
        say(error.message, false);
      }
    },
  });
  calendar.render();
  // Narrowing the window switches to the list; widening it again brings back the view people had.
  let viewBeforePhone = null;
  phone.addEventListener("change", (event) => {
    const options = toolbars(event.matches);
    calendar.setOption("headerToolbar", options.headerToolbar);
    calendar.setOption("footerToolbar", options.footerToolbar);
    const type = calendar.view.type;
    if (event.matches && type !== "listWeek") {
      viewBeforePhone = type;
      calendar.changeView("listWeek");
    } else if (!event.matches) {
      if (viewBeforePhone && type === "listWeek") calendar.changeView(viewBeforePhone);
      else if (type === "timeGridDay") calendar.changeView("timeGridWeek");
      viewBeforePhone = null;
    }
  });

  const ideas = document.getElementById("ideas");
  if (canPlan && ideas) {
    new FullCalendar.Draggable(ideas, {
      itemSelector: ".ov-idea-draggable",
      eventData: (item) => ({ title: item.dataset.title, create: false, duration: "00:30" }),
    });
  }
})();
