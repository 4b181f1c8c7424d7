import { once } from 'node:events';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { FrontendMessageCode, MessageBuffer } from 'pg-gateway';
import { binaryValue } from './binary-values.js';
import { BufferReader } from 'pg-protocol/dist/buffer-reader.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendKeyDataMessage, BackendMessage, CommandCompleteMessage, DatabaseError, ReadyForQueryMessage } from 'pg-protocol/dist/messages.js';

/** A transaction status as ReadyForQuery says it: idle, in a transaction block, in a failed one. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** A statement the client sent, as it starts: on which connection (and server process), its text and bound parameters. */
export interface WireStatementStart {
  /** The proxy's count of connections, from 1. */
  connection: number;
  /** The server process serving that connection (BackendKeyData). */
  pid: number;
  sql: string;
  /** Parameters as bound ($1..), as text; a binary one decoded by its type (db/binary-values.ts), null where unknown. */
  params: (string | null)[];
  /** The connection's status when it was sent: 'I' means it runs alone (autocommit), unless it is BEGIN. */
  statusBefore: TransactionStatus;
  /** performance.now() when it reached the proxy. */
  startedAt: number;
}

/** A statement once the server answered it. */
export interface WireStatement extends WireStatementStart {
  endedAt: number;
  /** CommandComplete's tag: `UPDATE 1000`, `CREATE INDEX`, `BEGIN`. */
  tag?: string;
  error?: { message: string; code?: string };
  /** The status at the next ReadyForQuery: 'I' after COMMIT or an autocommitted statement. */
  statusAfter?: TransactionStatus;
}

/** Called before a statement goes to the server and after its answer, before the client sees it: measuring holds both. */
export interface ProxyHooks {
  beforeStatement?(s: WireStatementStart): Promise<void>;
  afterStatement?(s: WireStatement): Promise<void>;
}

// Requests a client may send before its startup message (protocol 3.0).
const CANCEL_REQUEST = 80877102;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Where a Sync (or a simple Query's end) falls among the statements sent: the server answers up to it with ReadyForQuery. */
const SYNC = Symbol('sync');

/** One client connection's view: prepared statements and portals, the executes awaiting an answer, the last status. */
class ProxiedConnection {
  /** Prepared statements by name: their text and the parameter types Parse gave (0 where the server infers one). */
  private readonly prepared = new Map<string, { sql: string; types: number[] }>();
  private readonly portals = new Map<string, { sql: string; params: (string | null)[] }>();
  /** Statements sent and not yet answered, with the Syncs between them (a pipelining client sends several before the first answer). */
  private readonly pending: (WireStatement | typeof SYNC)[] = [];
  /** Statements answered since the last ReadyForQuery: their status after is known there. */
  private readonly answered: WireStatement[] = [];
  /** Statements sent as a simple Query: answered once per statement in it, done at ReadyForQuery. */
  private readonly simple = new WeakSet<WireStatementStart>();
  private status: TransactionStatus = 'I';
  private pid = 0;
  private readonly upstream: Socket;
  private readonly parser = new Parser();
  private readonly frames = new MessageBuffer();
  private started = false;
  /** Chunks each way are handled one after another, each passed on once its hooks have run. */
  private frontendChain: Promise<void> = Promise.resolve();
  private backendChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly id: number,
    private readonly client: Socket,
    upstream: { host: string; port: number },
    private readonly hooks: ProxyHooks,
    private readonly record: (s: WireStatement) => void,
    private readonly failed: (err: unknown) => void,
  ) {
    this.upstream = tcpConnect(upstream.port, upstream.host);
    // Each message is written as it is let through: Nagle's algorithm would hold the small ones for an ACK.
    this.upstream.setNoDelay(true);
    client.setNoDelay(true);
    this.upstream.on('data', (chunk) => {
      this.upstream.pause();
      this.backendChain = this.backendChain.then(() => this.fromBackend(chunk)).then(() => void this.upstream.resume(), this.broken);
    });
    client.on('data', (chunk) => {
      client.pause();
      this.frontendChain = this.frontendChain.then(() => this.fromClient(chunk)).then(() => void client.resume(), this.broken);
    });
    this.upstream.on('error', () => client.destroy());
    // Each side is ended once what it sent has been passed on (a FATAL message last of all).
    this.upstream.on('close', () => void this.backendChain.then(() => client.end()));
    client.on('close', () => void this.frontendChain.then(() => this.upstream.end()));
    client.on('error', () => this.upstream.destroy());
  }

  /** A hook that threw: both sides closed (the tool sees its connection lost, never a hang), the error kept for the caller. */
  private readonly broken = (err: unknown) => {
    this.failed(err);
    this.client.destroy();
    this.upstream.destroy();
  };

  /** A chunk from the client, framed into messages (pg-gateway's MessageBuffer), each passed on in turn. */
  private async fromClient(chunk: Buffer): Promise<void> {
    this.frames.mergeBuffer(chunk);
    for await (const frame of this.frames.processMessages(this.started)) {
      const message = Buffer.from(frame);
      if (this.started) await this.message(message);
      else this.beforeStartup(message);
    }
  }

  /**
   * SSL and GSS encryption are refused (the tool goes on in plain text, as `sslmode=prefer` does);
   * the startup message is passed on as it came, and the server authenticates the tool itself.
   */
  private beforeStartup(message: Buffer): void {
    const code = message.length >= 8 ? message.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.client.write('N');
      return;
    }
    if (code === CANCEL_REQUEST) this.client.destroy();
    else this.started = true;
    this.upstream.write(message);
  }

  /** A frontend message after startup: noted where it starts a statement, then passed on. */
  private async message(buffer: Buffer): Promise<void> {
    const started = this.readFrontend(buffer);
    if (started) {
      await this.hooks.beforeStatement?.(started);
      started.startedAt = performance.now();
      this.pending.push(started as WireStatement);
    }
    if (buffer[0] === FrontendMessageCode.Query || buffer[0] === FrontendMessageCode.Sync) this.pending.push(SYNC);
    if (!this.upstream.write(buffer)) await once(this.upstream, 'drain');
  }

  private readFrontend(buffer: Buffer): WireStatementStart | undefined {
    const reader = new BufferReader(5);
    reader.setBuffer(5, buffer);
    const statement = (sql: string, params: (string | null)[]): WireStatementStart => ({
      connection: this.id,
      pid: this.pid,
      sql,
      params,
      statusBefore: this.status,
      startedAt: performance.now(),
    });
    switch (buffer[0]) {
      case FrontendMessageCode.Query: {
        const query = statement(reader.cstring(), []);
        this.simple.add(query);
        return query;
      }
      case FrontendMessageCode.Parse: {
        const name = reader.cstring();
        const sql = reader.cstring();
        this.prepared.set(name, { sql, types: Array.from({ length: reader.int16() }, () => reader.int32()) });
        return undefined;
      }
      case FrontendMessageCode.Bind: {
        const portal = reader.cstring();
        const { sql, types } = this.prepared.get(reader.cstring()) ?? { sql: '', types: [] };
        const formats = Array.from({ length: reader.int16() }, () => reader.int16());
        const params = Array.from({ length: reader.int16() }, (_, i) => {
          const length = reader.int32();
          if (length < 0) return null;
          const value = reader.bytes(length);
          const binary = (formats.length === 1 ? formats[0] : (formats[i] ?? 0)) === 1;
          return binary ? binaryValue(types[i] ?? 0, value) : value.toString('utf8');
        });
        this.portals.set(portal, { sql, params });
        return undefined;
      }
      case FrontendMessageCode.Execute: {
        const bound = this.portals.get(reader.cstring());
        return bound && statement(bound.sql, bound.params);
      }
      default:
        return undefined;
    }
  }

  /** A chunk from the server: statements answered, hooks run, then the chunk goes to the client as it came. */
  private async fromBackend(chunk: Buffer): Promise<void> {
    const done: WireStatement[] = [];
    this.parser.parse(chunk, (m) => this.note(m, done));
    for (const s of done) await this.hooks.afterStatement?.(s);
    // A large result waits for the tool to read it, instead of piling up here.
    if (!this.client.write(chunk)) await once(this.client, 'drain');
  }

  /**
   * The server's answer to the oldest statement waiting for one (a simple query, perhaps several
   * statements, is answered at ReadyForQuery). At ReadyForQuery the statements answered since the
   * last one learn the status after them, are recorded and go to afterStatement; what a failed
   * pipeline sent before that Sync never ran.
   */
  private note(m: BackendMessage, done: WireStatement[]): void {
    const head = this.pending[0] === SYNC ? undefined : this.pending[0];
    const answer = (patch: Partial<WireStatement>) => {
      if (!head) return;
      Object.assign(head, patch);
      if (this.simple.has(head)) return;
      this.pending.shift();
      head.endedAt = performance.now();
      this.answered.push(head);
    };
    switch (m.name) {
      case 'backendKeyData':
        this.pid = (m as BackendKeyDataMessage).processID;
        break;
      case 'commandComplete':
        answer({ tag: (m as CommandCompleteMessage).text });
        break;
      case 'emptyQuery':
      case 'portalSuspended':
        answer({});
        break;
      case 'error': {
        const e = m as DatabaseError;
        answer({ error: { message: e.message, code: e.code } });
        break;
      }
      case 'readyForQuery': {
        if (head && this.simple.has(head)) {
          head.endedAt = performance.now();
          this.answered.push(head);
        }
        this.status = (m as ReadyForQueryMessage).status as TransactionStatus;
        this.pending.splice(0, this.pending.indexOf(SYNC) + 1);
        for (const s of this.answered.splice(0)) {
          s.statusAfter = this.status;
          this.record(s);
          done.push(s);
        }
        break;
      }
    }
  }
}

/**
 * A PostgreSQL wire-protocol proxy in front of one server, for a migration tool to connect to: it
 * passes every byte on unchanged (authentication included: the tool talks to the server's own)
 * and records each statement the tool runs, in order, with its parameters, timing, answer and
 * transaction status. pg-gateway frames the client's messages, pg-protocol reads the server's.
 * (pg-gateway 0.3: 0.2.4's framing loses every message after the first of a pipelined chunk.)
 */
export class WireProxy {
  private readonly server: Server;
  private readonly recorded: WireStatement[] = [];
  private readonly sockets = new Set<Socket>();
  private connections = 0;
  /** The first error a hook threw: its connection was closed, and the caller should say why. */
  failure?: Error;

  private constructor(
    private readonly upstreamUrl: URL,
    private readonly hooks: ProxyHooks,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(upstreamUrl: string, hooks: ProxyHooks = {}): Promise<WireProxy> {
    const proxy = new WireProxy(new URL(upstreamUrl), hooks);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  /** The server's URL with the proxy's address: same user, password and database. */
  get url(): string {
    const u = new URL(this.upstreamUrl);
    // The tool talks plain TCP to the proxy: no sslmode or host options of the server's URL.
    u.search = '';
    u.hostname = '127.0.0.1';
    u.port = String((this.server.address() as { port: number }).port);
    return u.toString();
  }

  /** Every statement answered so far, in the order the answers came. */
  statements(): WireStatement[] {
    return [...this.recorded];
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const upstream = { host: this.upstreamUrl.hostname || 'localhost', port: Number(this.upstreamUrl.port || 5432) };
    new ProxiedConnection(
      ++this.connections,
      socket,
      upstream,
      this.hooks,
      (s) => this.recorded.push(s),
      (err) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      },
    );
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
