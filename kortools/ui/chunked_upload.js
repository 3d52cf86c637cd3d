// The browser side of kortools.ui.chunked_upload.ChunkedUpload: a button that opens the file
// chooser and sends each chosen file in pieces of `chunk_bytes`, one piece at a time, each
// acknowledged by the kernel before the next is sent (a served page takes at most 1 MiB in one
// message: issue #18). The words shown come from the model (Dutch, set in Python).

function render({ model, el }) {
  const input = document.createElement("input");
  input.type = "file";
  input.hidden = true;
  input.tabIndex = -1;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-widgets jupyter-button widget-button kt-upload-button";
  el.classList.add("kt-chunked-upload");
  el.append(button, input);

  let waiting = null; // the kernel's answer to the last message: {resolve, timer}
  const show = () => {
    button.textContent = said || model.get("description");
    input.accept = model.get("accept");
    input.multiple = model.get("multiple");
  };
  const answer = (msg) => {
    if (!waiting || !msg || !msg.kind) return;
    const { resolve, timer } = waiting;
    waiting = null;
    clearTimeout(timer);
    resolve(msg);
  };
  // one message in flight; no answer in two minutes ends the upload (the kernel is gone)
  const ask = (content, buffers) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => answer({ kind: "timeout" }), 120000);
      waiting = { resolve, timer };
      model.send(content, undefined, buffers || []);
    });
  let said = ""; // a sentence for the button after an upload the kernel did not answer

  async function send(files) {
    const most = model.get("max_bytes");
    const big = files.find((f) => f.size > most);
    if (big) {
      model.send({ kind: "refused", name: big.name, size: big.size });
      return;
    }
    const ready = await ask({ kind: "begin", files: files.map((f) => ({ name: f.name, size: f.size })) });
    if (ready.kind === "timeout") said = model.get("no_answer_nl");
    if (ready.kind !== "ready") return;
    const step = model.get("chunk_bytes");
    const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
    let sent = 0;
    for (let index = 0; index < files.length; index++) {
      const file = files[index];
      for (let offset = 0; offset < file.size; offset += step) {
        const piece = await file.slice(offset, offset + step).arrayBuffer();
        const ack = await ask({ kind: "chunk", file: index, offset }, [piece]);
        if (ack.kind === "timeout") said = model.get("no_answer_nl");
        if (ack.kind !== "ack") return;
        sent += piece.byteLength;
        button.textContent = model.get("sending_nl").replace("{percent}", Math.floor((100 * sent) / total));
      }
    }
    if ((await ask({ kind: "end" })).kind === "timeout") said = model.get("no_answer_nl");
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const files = Array.from(input.files || []);
    input.value = "";
    if (!files.length) return;
    said = "";
    button.disabled = true;
    try {
      await send(files);
    } finally {
      button.disabled = false;
      show();
    }
  });
  model.on("msg:custom", answer);
  model.on("change:description", show);
  show();
  return () => model.off("msg:custom", answer);
}

export default { render };
