// The core runs on any ECMAScript host with the WHATWG encoding API (Node, Deno, browsers);
// it declares the two members it uses instead of depending on DOM or Node typings.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
