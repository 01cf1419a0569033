// Before the browser tests: a console build made from the sources as they are now.
import { buildConsole } from '../../cli/console-build'

export default async function setup() {
  const outcome = await buildConsole()
  if (outcome.status === 'failed') throw new Error(`the operator console does not build:\n${outcome.output}`)
  if (outcome.status === 'busy')
    throw new Error('another process is building the operator console; run again')
}
