/**
 * COMPARISON ONLY, not part of the product: the floor under a refusal at the door. A bare
 * node:http server, without Next, the rate check or Redis, that refuses every request exactly as
 * the door refuses a client over its rate (lib/http/door/refusal.ts: the same 429, held back the
 * same 500 ms). `npm run bench` measures it beside the door, so the door's figure is read against
 * what Node's HTTP server alone costs at the same rate. GET /health answers 200 (to start it).
 */
import { createServer } from "node:http";
import { refuseOverRate } from "../lib/http/door/refusal";

createServer((req, res) => {
  req.resume();
  if (req.url === "/health") res.end("ok");
  else refuseOverRate(res, 1);
}).listen(Number(process.env.PORT));
