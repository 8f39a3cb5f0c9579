/**
 * The server's parts: sessions and the command table, the connection
 * cache, client naming, the file repository and transfer, the log.
 * `server.ts` puts them together.
 *
 * @module
 */

export {
  acceptLoop,
  type AcceptLoopOptions,
  type Acceptor,
  FIRST_BACKOFF_MS,
  isConnectionError,
  MAX_BACKOFF_MS,
} from "./accept.ts";
export {
  type AccessPolicy,
  describeAccess,
  isLoopback,
  isLoopbackPeer,
  isProtected,
  refusesPeer,
  Token,
} from "./access.ts";
export { type BannerFacts, logBanner } from "./banner.ts";
export { type ClientRecord, ConnectionCache } from "./cache.ts";
export { COMMANDS, runCommand } from "./commands.ts";
export type {
  CommandHandler,
  CommandResult,
  RequestContext,
  ServerContext,
  SessionState,
} from "./context.ts";
export { Clients, type ClientsOptions } from "./clients.ts";
export {
  ClientConnection,
  type ClientConnectionOptions,
  isDisconnect,
} from "./connection.ts";
export {
  ADMISSION_WAIT_MS,
  CLOSE_GRACE_MS,
  DEFAULTS,
  FLUSH_BYTES,
  MAX_TOKEN_TRIES,
  MAX_WAITING,
  RANGES,
  SHUTDOWN_WAIT_MS,
  SILENT_GRACE_MS,
  TASK_NET_HOSTS,
  WRITE_STALL_MS,
  WRONG_TOKEN_DELAY_MS,
} from "./defaults.ts";
export { DigestCache, RACY_MS, sameVersion } from "./digest_cache.ts";
export {
  capLogMessage,
  consoleLogger,
  formatLogLine,
  isLogged,
  KIND_LEVELS,
  type LineFormatter,
  type LogFields,
  type LogFormat,
  type Logger,
  type LogKind,
  type LogLevel,
  type LogOutput,
  MAX_LOG_MESSAGE,
  MAX_LOG_QUEUE_BYTES,
  QueuedLog,
  ServerLog,
  type ServerLogOptions,
} from "./log.ts";
export { clientName, ClientNamer } from "./naming.ts";
export {
  describeForClient,
  FileRefusal,
  FileRepository,
  OPEN_TIMEOUT_MS,
  type OpenedFile,
  openWithin,
  type RepositoryEntry,
  RepositoryError,
  type RepositoryListing,
} from "./repository.ts";
export {
  HASH_THREAD_IDLE_MS,
  HashThreads,
  type HashThreadsOptions,
  MAX_HASH_THREADS,
} from "./hash_threads.ts";
export { LINGER_BYTES, lingerThenClose } from "./linger.ts";
export { runSession } from "./session.ts";
export { REPEAT_SIGNAL_MS, runUntilStopped, type Stoppable } from "./stop.ts";
export {
  formatStatus,
  parseStatusSummary,
  type StatusCounts,
} from "./status.ts";
export {
  CHUNK_BYTES,
  HASH_BACKLOG,
  PARALLEL_HASH_BYTES,
  POOL_LIMIT,
  pooledBuffers,
  ShortFileError,
  streamFile,
  type StreamFileOptions,
} from "./transfer.ts";
