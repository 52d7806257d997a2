// Browser side of lib/reading/draw_widget.py: a canvas drawn on with the pointer, a Clear button, and what the
// Python side sends back (the prepared input, the digits' boxes, the top 5 readings, a message).
// The drawing goes to Python as a PNG data URL while the pen moves (at most every SEND_MS) and when a
// stroke ends. The canvas is white with black ink: dark on light, as a page.

const SEND_MS = 200;

function element(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function render({ model, el }) {
  const width = model.get("width");
  const height = model.get("height");
  const root = element("div", "dn-root");
  const board = element("div", "dn-board");
  const canvas = element("canvas", "dn-canvas", { width, height, "data-testid": "canvas" });
  const overlay = element("canvas", "dn-overlay", { width, height });
  const clear = element("button", "dn-clear", { type: "button", "data-testid": "clear" });
  clear.textContent = "Clear";
  board.append(canvas, overlay);

  const side = element("div", "dn-side");
  const seenLabel = element("div", "dn-label");
  seenLabel.textContent = "What the network sees";
  const prepared = element("img", "dn-prepared", { alt: "prepared input", "data-testid": "prepared" });
  const reading = element("div", "dn-reading");
  const number = element("span", "dn-number", { "data-testid": "prediction" });
  const probability = element("span", "dn-probability", { "data-testid": "probability" });
  reading.append(number, probability);
  const top = element("ol", "dn-top", { "data-testid": "top" });
  const message = element("div", "dn-message", { "data-testid": "message" });
  side.append(seenLabel, prepared, reading, top, message);
  const left = element("div", "dn-left");
  left.append(board, clear);
  root.append(left, side);
  el.append(root);

  const ctx = canvas.getContext("2d");
  const octx = overlay.getContext("2d");
  function blank() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    octx.clearRect(0, 0, width, height);
  }
  blank();

  // ---- drawing
  let pen = null; // last point while the pointer is down
  let dirty = false; // drawn since the last send
  let timer = null;
  function send() {
    clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    model.set("drawing", canvas.toDataURL("image/png"));
    model.save_changes();
  }
  function point(event) {
    const box = canvas.getBoundingClientRect(); // the canvas may be shown scaled
    return [(event.clientX - box.left) * (width / box.width), (event.clientY - box.top) * (height / box.height)];
  }
  function line(from, to) {
    ctx.strokeStyle = "#000";
    ctx.lineWidth = model.get("brush");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
    dirty = true;
    if (timer === null) timer = setTimeout(send, SEND_MS);
  }
  function down(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    pen = point(event);
    line(pen, pen); // a click leaves a dot
  }
  function move(event) {
    if (pen === null) return;
    const next = point(event);
    line(pen, next);
    pen = next;
  }
  function up() {
    if (pen === null) return;
    pen = null;
    send();
  }
  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  clear.addEventListener("click", () => {
    blank();
    dirty = false;
    clearTimeout(timer);
    timer = null;
    model.set("drawing", "");
    model.save_changes();
  });

  // ---- what Python sends back
  function showResult() {
    const readings = model.get("top");
    const url = model.get("prepared");
    prepared.style.visibility = url ? "visible" : "hidden";
    if (url) prepared.src = url;
    number.textContent = readings.length ? String(readings[0].number) : "";
    probability.textContent = readings.length ? `${(100 * readings[0].probability).toFixed(1)}%` : "";
    top.replaceChildren(
      ...readings.map(({ number: n, probability: p }) => {
        const item = element("li", "dn-top-item");
        const bar = element("span", "dn-bar");
        bar.style.width = `${Math.max(1, Math.round(100 * p))}%`;
        const text = element("span", "dn-top-text");
        text.textContent = `${n}  ${(100 * p).toFixed(1)}%`;
        item.append(bar, text);
        return item;
      }),
    );
    message.textContent = model.get("message");
    octx.clearRect(0, 0, width, height);
    octx.strokeStyle = "rgba(255, 140, 0, 0.9)";
    octx.lineWidth = 2;
    for (const [x0, y0, x1, y1] of model.get("boxes")) octx.strokeRect(x0 - 3, y0 - 3, x1 - x0 + 6, y1 - y0 + 6);
  }
  const events = ["change:top", "change:prepared", "change:message", "change:boxes"];
  for (const name of events) model.on(name, showResult);
  showResult();

  return () => {
    clearTimeout(timer);
    for (const name of events) model.off(name, showResult);
  };
}

export default { render };
