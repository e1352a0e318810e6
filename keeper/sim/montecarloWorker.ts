/** A Monte Carlo worker thread: runs the tasks it is sent, one at a time, and posts each result back. */
import { parentPort } from "node:worker_threads";
import { type McTask, type WorkerMessage, runTask } from "./montecarlo";

const port = parentPort;
if (!port) throw new Error("montecarloWorker runs only as a worker thread");

port.on("message", (task: McTask) => {
  const post = (msg: WorkerMessage): void => port.postMessage(msg);
  try {
    post({ type: "done", result: runTask(task, (blocks) => post({ type: "blocks", blocks })) });
  } catch (e) {
    post({ type: "error", id: task.id, message: (e as Error).stack ?? String(e) });
  }
});
