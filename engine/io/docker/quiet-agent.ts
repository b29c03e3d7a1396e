/**
 * HTTP and HTTPS agents that are cheap to format.
 */
import { Agent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { inspect } from 'node:util';

/**
 * docker-modem formats every request's options with `util.inspect(…, { showHidden: true, depth: null })`
 * even when its debug log is off; an agent holding sockets or an SSH client then costs tens of
 * milliseconds of CPU per request. This agent prints as one word.
 */
export class QuietAgent extends Agent {
  constructor(options: AgentOptions) {
    super(options);
  }

  [inspect.custom](): string {
    return 'Agent';
  }
}

/** The same for HTTPS; it holds the client's private key, which a formatted agent would print. */
export class QuietTlsAgent extends HttpsAgent {
  constructor(options: HttpsAgentOptions) {
    super(options);
  }

  [inspect.custom](): string {
    return 'Agent';
  }
}
