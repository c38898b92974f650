// The plan's calendar: FullCalendar fed by the events endpoint; drag and drop reschedules through the move endpoint.
(function () {
  const el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  const token = csrf ? csrf.split("=")[1] : "";
  const message = document.getElementById("plan-message");
  const canPlan = el.dataset.canPlan === "1";

  const say = (text, ok) => {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-danger");
  };

  const move = async (post, version, start) => {
    const response = await fetch(el.dataset.move, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ post: post, version: version, start: start }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    say(data.message, true);
    return data;
  };

  // The calendar runs in "UTC" mode and the server sends wall-clock times of the organisation's zone,
  // so what people see does not depend on the browser's zone; the UTC fields are that wall clock.
  const local = (date) => {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  };

  const calendar = new FullCalendar.Calendar(el, {
    locale: el.dataset.locale === "de" ? "de" : "en-gb",
    timeZone: "UTC",
    initialView: window.innerWidth < 768 ? "listWeek" : "dayGridMonth",
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
    // Text buttons: FullCalendar's icon fonts are role="img" without a text alternative (axe).
    buttonIcons: false,
    firstDay: 1,
    height: "auto",
    nowIndicator: true,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events: el.dataset.events,
    editable: canPlan,
    droppable: canPlan,
    eventStartEditable: canPlan,
    eventDurationEditable: false,
    eventDidMount: (info) => {
      const p = info.event.extendedProps;
      info.el.setAttribute("title", `${p.status} · ${p.department} · ${p.channels.join(", ")}`);
      info.el.dataset.post = info.event.id;
    },
    eventContent: (arg) => {
      const p = arg.event.extendedProps;
      const wrap = document.createElement("div");
      wrap.className = "ov-event";
      const time = document.createElement("span");
      time.className = "ov-event-time";
      time.textContent = arg.timeText ? arg.timeText + " " : "";
      const title = document.createElement("span");
      title.className = "ov-event-title";
      title.textContent = arg.event.title;
      const status = document.createElement("span");
      status.className = "ov-event-status";
      status.textContent = p.status;
      wrap.append(time, title, status);
      return { domNodes: [wrap] };
    },
    eventDrop: async (info) => {
      if (info.event.allDay) info.event.setAllDay(false);
      const start = new Date(info.event.start);
      if (info.oldEvent && !info.view.type.startsWith("timeGrid")) {
        // Moving between days keeps the time of day.
        start.setUTCHours(info.oldEvent.start.getUTCHours(), info.oldEvent.start.getUTCMinutes());
      }
      try {
        const data = await move(info.event.id, info.event.extendedProps.version, local(start));
        info.event.setExtendedProp("version", data.version);
        calendar.refetchEvents();
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
        await move(item.dataset.post, item.dataset.version, local(start));
        item.remove();
        calendar.refetchEvents();
      } catch (error) {
        say(error.message, false);
      }
    },
  });
  calendar.render();

  const ideas = document.getElementById("ideas");
  if (canPlan && ideas) {
    new FullCalendar.Draggable(ideas, {
      itemSelector: ".ov-idea",
      eventData: (item) => ({ title: item.dataset.title, create: false }),
    });
  }
})();
