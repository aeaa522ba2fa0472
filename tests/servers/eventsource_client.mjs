// An EventSource client from npm ("eventsource", the WHATWG EventSource for
// Node.js), run by tests/servers/node.py. Usage:
//
//     node eventsource_client.mjs URL TYPES LIMIT_MS
//
// TYPES is a comma-separated list of event types to listen for with
// addEventListener ("message" always is). Prints one JSON object per line:
// {"event": {"type", "data", "lastEventId"}, "t": ms since start} per event, {"open": true} per
// (re)connection, {"error": message} per error event. Exits 0 after an event
// of type "end", 2 when LIMIT_MS passes first.
import { EventSource } from "eventsource";

const [url, typeList, limit] = process.argv.slice(2);
const source = new EventSource(url);
const print = (item) => process.stdout.write(JSON.stringify(item) + "\n");

function record(event) {
  const fields = { type: event.type, data: event.data, lastEventId: event.lastEventId };
  print({ event: fields, t: performance.now() });
  if (event.type === "end") {
    source.close();
    process.exit(0);
  }
}

source.onmessage = record;
for (const type of typeList.split(",").filter((t) => t)) source.addEventListener(type, record);
source.onopen = () => print({ open: true });
source.onerror = (error) => print({ error: String(error.message ?? error.type) });
setTimeout(() => {
  source.close();
  process.exit(2);
}, Number(limit));
