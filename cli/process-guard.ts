// The last line of defence for `npm start`: a library that throws outside any promise chain we own (a
// puppet's gRPC resolver, a websocket callback) is logged and the process keeps serving. Every known
// failure is handled where it happens (the supervisor turns it into the account's error state); this
// only keeps an unknown one from taking the server, the bot and the worker down together.
import type { Logger } from '../shared/logger'

export function installProcessGuards(logger: Logger): () => void {
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection: kept running')
  }
  const onException = (err: Error, origin: string) => {
    logger.error({ err, origin }, 'uncaught exception: kept running')
  }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return () => {
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
}
