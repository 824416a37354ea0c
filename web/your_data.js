// Settings → Your data: download the export (GET /v1/export), delete a period (DELETE /v1/logs)
// and delete the account (DELETE /v1/me). Uses app.js's helpers ($, api, state, signOut).
// Nothing is deleted on the first click: each delete shows what it will remove and waits for a
// second, explicit confirmation (for the account, the user name typed in full).
"use strict";

// ---------- export ----------

// The export needs the bearer token, so a plain link cannot fetch it: the page downloads it and
// hands the browser a file. The server's Content-Disposition names it.
function exportFileName(response) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  return match ? match[1] : "imu2clip-export.ndjson";
}

$("export-button").addEventListener("click", async () => {
  const status = $("export-status");
  const button = $("export-button");
  button.disabled = true;
  status.textContent = "Preparing your data…";
  status.classList.remove("error");
  try {
    const response = await api("/v1/export");
    const blob = await response.blob();
    const text = await blob.text();
    // A server that failed mid-way ends the file with an "error" record: say so, keep the file.
    const lines = text.split("\n").filter((l) => l.length > 0);
    const failed = lines.length > 0 && lines[lines.length - 1].startsWith('{"type":"error"');
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = exportFileName(response);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    status.textContent = failed
      ? `The export stopped part-way (${lines.length} records); try again.`
      : `Downloaded ${a.download} (${lines.length} records).`;
    status.classList.toggle("error", failed);
  } catch (e) {
    status.textContent = e.message;
    status.classList.add("error");
  } finally {
    button.disabled = false;
  }
});

// ---------- delete a period ----------

function readablePeriod(from, to) {
  return `${from.replace("T", " ")} to ${to.replace("T", " ")}`;
}

let pendingErase = null;  // {from, to} waiting for "Delete for good"

function closeEraseConfirm() {
  pendingErase = null;
  $("erase-confirm").hidden = true;
  $("erase-button").disabled = false;
}

$("erase-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const from = $("erase-from").value;
  const to = $("erase-to").value;
  const status = $("erase-status");
  status.classList.remove("error");
  if (!from || !to || from >= to) {
    status.textContent = "Pick a start before the end.";
    status.classList.add("error");
    return;
  }
  status.textContent = "";
  pendingErase = { from, to };
  const zone = state.user && state.user.tz ? ` (${state.user.tz})` : "";
  $("erase-question").textContent =
    `Delete everything from ${readablePeriod(from, to)}${zone}? Log lines, recordings and raw data in it ` +
    "are removed for good.";
  $("erase-confirm").hidden = false;
  $("erase-button").disabled = true;
  $("erase-no").focus();
});

$("erase-no").addEventListener("click", () => {
  closeEraseConfirm();
  $("erase-status").textContent = "Nothing was deleted.";
});

$("erase-yes").addEventListener("click", async () => {
  if (!pendingErase) return;
  const { from, to } = pendingErase;
  const status = $("erase-status");
  $("erase-yes").disabled = true;
  try {
    // Times without an offset: the server reads them in the account's zone.
    const query = new URLSearchParams({ from: `${from}:00`.slice(0, 19), to: `${to}:00`.slice(0, 19) });
    const response = await api(`/v1/logs?${query}`, { method: "DELETE" });
    const counts = await response.json();
    status.textContent = `Deleted ${counts.log_lines} log lines, ${counts.recordings} recordings and ` +
      `${counts.windows} windows from ${readablePeriod(from, to)}.`;
    status.classList.remove("error");
  } catch (e) {
    status.textContent = e.message;
    status.classList.add("error");
  } finally {
    $("erase-yes").disabled = false;
    closeEraseConfirm();
  }
});

// ---------- delete the account ----------

function closeAccountConfirm() {
  $("account-confirm").hidden = true;
  $("account-confirm-name").value = "";
  $("account-delete-yes").disabled = true;
  $("account-delete").hidden = false;
}

$("account-delete").addEventListener("click", () => {
  const name = state.user ? state.user.user : "";
  $("account-confirm-label").textContent = `Type your user name (${name}) to delete the account and all its data`;
  $("account-confirm").hidden = false;
  $("account-delete").hidden = true;
  $("account-status").textContent = "";
  $("account-confirm-name").focus();
});

// The button works only once the name typed is exactly the account's.
$("account-confirm-name").addEventListener("input", () => {
  $("account-delete-yes").disabled = !state.user || $("account-confirm-name").value !== state.user.user;
});

$("account-delete-no").addEventListener("click", () => {
  closeAccountConfirm();
  $("account-status").textContent = "Your account was not deleted.";
});

$("account-confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const typed = $("account-confirm-name").value;
  if (!state.user || typed !== state.user.user) return;
  const status = $("account-status");
  $("account-delete-yes").disabled = true;
  try {
    await api("/v1/me", {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ confirm: typed }),
    });
    closeAccountConfirm();
    signOut(`The account ${typed} and all its data were deleted.`);
  } catch (e) {
    status.textContent = e.message;
    status.classList.add("error");
    $("account-delete-yes").disabled = false;
  }
});
