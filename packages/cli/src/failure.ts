/**
 * Why a role could not start, or failed, in one line for its operator: the message of the error that
 * ended it (a driver's own wording), where it came from, and what to check; no stack trace, no JSON dump.
 */
export function failureLine(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  const inner = (error as { innerErrors?: unknown }).innerErrors;
  if (error.name === 'NoHostAvailableError' && inner !== null && typeof inner === 'object') {
    const nodes = Object.entries(inner as Record<string, unknown>).map(
      ([node, cause]) => `${node}: ${oneLine(cause instanceof Error ? cause.message : String(cause))}`,
    );
    const text = nodes.length > 0 ? nodes.join('; ') : oneLine(error.message);
    return `Cassandra: no node could be used: ${text}${hint(text, 'cassandra')}`;
  }
  if (error.name.startsWith('KafkaJS')) {
    const text = undoubled(oneLine(error.message));
    return `Kafka: ${text}${hint(text, 'kafka')}`;
  }
  return oneLine(error.message);
}

function hint(text: string, server: 'kafka' | 'cassandra'): string {
  const tls = `--${server}-tls`;
  if (/certificate|self.signed|unable to verify/i.test(text)) {
    return ` (the certificate is not trusted: give the CA that signed it with ${tls}-ca)`;
  }
  if (/authentication failed|password are incorrect|invalid credentials/i.test(text)) {
    return server === 'kafka'
      ? ' (check --kafka-sasl-username and RSVP_KAFKA_SASL_PASSWORD)'
      : ' (check --cassandra-username and RSVP_CASSANDRA_PASSWORD)';
  }
  if (/closed connection|ECONNRESET|socket hang up|disconnected before secure/i.test(text)) {
    return ` (the server hung up: does it expect TLS (${tls} on) or a login?)`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timeout/i.test(text)) {
    return ` (is ${server === 'kafka' ? '--kafka-brokers' : '--cassandra-contact-points'} right, and is it up?)`;
  }
  return '';
}

/** The first line of a message, its whitespace collapsed. */
function oneLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
}

/** kafkajs's "retries exceeded" repeats its cause: "Closed connection: Closed connection". */
function undoubled(text: string): string {
  const half = (text.length - 2) / 2;
  return Number.isInteger(half) && text.slice(0, half) === text.slice(half + 2) && text.slice(half, half + 2) === ': '
    ? text.slice(0, half)
    : text;
}
