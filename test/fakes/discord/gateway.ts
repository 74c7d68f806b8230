import type { Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import { GatewayOpcodes } from 'discord-api-types/v10'
import { WebSocketServer, type WebSocket } from 'ws'
import { channelJson, guildJson, userJson } from './shapes.ts'
import type { FakeState } from './state.ts'

/**
 * Discord's gateway, as much as a bot connection sees of it, on the fake's HTTP server at
 * `/gateway`: HELLO with a heartbeat interval, heartbeats acknowledged, IDENTIFY (the bot token
 * checked, the intents kept) answered with READY and the guild's GUILD_CREATE, RESUME of a
 * session replaying what it missed, and every dispatch of the fake sent to each live session
 * with that session's sequence numbers. On demand: a dropped connection (no close frame),
 * op 7 RECONNECT and op 9 INVALID SESSION.
 */
export interface FakeGateway {
  /** `ws://127.0.0.1:<port>/gateway` */
  url: string
  /** Sessions (identified connections), oldest first. */
  sessions: GatewaySession[]
  /** Connections open now. */
  connectionCount(): number
  /** Every IDENTIFY received: the intents asked for. */
  identifies: Array<{ intents: number; sessionId: string }>
  resumes: Array<{ sessionId: string; seq: number; replayed: number }>
  heartbeatAcks: number
  /** What HELLO tells connections to heartbeat at (Discord: about 41 s). */
  heartbeatIntervalMs: number
  /** Sends a dispatch to every session (the fake's `state.dispatch` calls it). */
  publish(t: string, d: Record<string, unknown>): void
  /** Cuts every connection without a close frame, as a network failure does. */
  drop(): void
  /** Sends op 7 RECONNECT to every connection. */
  reconnect(): void
  /** Sends op 9 INVALID SESSION (`resumable`) and forgets the sessions when not resumable. */
  invalidate(resumable: boolean): void
  /** Withholds dispatches from live connections (they still reach the sessions' buffers): a stalled link. */
  hold(held: boolean): void
  close(): Promise<void>
}

export interface GatewaySession {
  id: string
  intents: number
  seq: number
  /** What was sent (or would have been) in this session, for RESUME. */
  sent: Array<{ s: number; t: string; d: Record<string, unknown> }>
  socket: WebSocket | null
}

interface Payload {
  op: GatewayOpcodes
  d?: unknown
  s?: number | null
  t?: string | null
}

export function startGateway(server: Server, state: FakeState, httpUrl: string): FakeGateway {
  const wss = new WebSocketServer({ noServer: true })
  const sessions: GatewaySession[] = []
  const identifies: FakeGateway['identifies'] = []
  const resumes: FakeGateway['resumes'] = []
  const sockets = new Set<WebSocket>()
  let held = false
  const url = `${httpUrl.replace(/^http/, 'ws')}/gateway`
  const gateway: FakeGateway = {
    url,
    sessions,
    identifies,
    resumes,
    heartbeatAcks: 0,
    heartbeatIntervalMs: 5_000,
    connectionCount: () => sockets.size,
    publish(t, d) {
      for (const session of sessions) {
        session.seq += 1
        const entry = { s: session.seq, t, d }
        session.sent.push(entry)
        if (session.socket !== null && !held) {
          send(session.socket, { op: GatewayOpcodes.Dispatch, ...entry })
        }
      }
    },
    drop() {
      for (const socket of sockets) {
        socket.terminate()
      }
    },
    reconnect() {
      for (const socket of sockets) {
        send(socket, { op: GatewayOpcodes.Reconnect, d: null })
      }
    },
    invalidate(resumable) {
      for (const socket of sockets) {
        send(socket, { op: GatewayOpcodes.InvalidSession, d: resumable })
      }
      if (!resumable) {
        sessions.splice(0, sessions.length)
      }
    },
    hold(value) {
      held = value
    },
    close: async () => {
      for (const socket of sockets) {
        socket.terminate()
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }

  const send = (socket: WebSocket, payload: Payload) => {
    if (socket.readyState === socket.OPEN) {
      socket.send(JSON.stringify({ s: null, t: null, ...payload }))
    }
  }

  /** READY, then the guild as GUILD_CREATE (with its channels) when the bot is in it. */
  const ready = (socket: WebSocket, session: GatewaySession) => {
    session.socket = socket
    const inGuild = state.guild.members.has(state.bot.id)
    const sendDispatch = (t: string, d: Record<string, unknown>) => {
      session.seq += 1
      const entry = { s: session.seq, t, d }
      session.sent.push(entry)
      send(socket, { op: GatewayOpcodes.Dispatch, ...entry })
    }
    sendDispatch('READY', {
      v: 10,
      user: userJson(state.bot),
      guilds: inGuild ? [{ id: state.guild.id, unavailable: true }] : [],
      session_id: session.id,
      resume_gateway_url: url,
      shard: [0, 1],
      application: { id: state.applicationId, flags: 0 },
    })
    if (inGuild) {
      sendDispatch('GUILD_CREATE', {
        ...guildJson(state.guild),
        unavailable: false,
        member_count: state.guild.members.size,
        channels: [...state.guild.channels.values()].filter((c) => c.type === 0).map(channelJson),
      })
    }
  }

  wss.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      for (const session of sessions) {
        if (session.socket === socket) {
          session.socket = null
        }
      }
    })
    send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: gateway.heartbeatIntervalMs } })
    socket.on('message', (raw: Buffer) => {
      let payload: Payload
      try {
        payload = JSON.parse(raw.toString('utf8')) as Payload
      } catch {
        socket.close(4002, 'Error while decoding payload.')
        return
      }
      const d = typeof payload.d === 'object' && payload.d !== null ? (payload.d as Record<string, unknown>) : {}
      const op: GatewayOpcodes = payload.op
      if (op === GatewayOpcodes.Heartbeat) {
        gateway.heartbeatAcks += 1
        send(socket, { op: GatewayOpcodes.HeartbeatAck })
        return
      }
      if (op === GatewayOpcodes.Identify) {
        {
          if (d.token !== state.botToken) {
            socket.close(4004, 'Authentication failed.')
            return
          }
          const session: GatewaySession = {
            id: randomBytes(16).toString('hex'),
            intents: typeof d.intents === 'number' ? d.intents : 0,
            seq: 0,
            sent: [],
            socket: null,
          }
          sessions.push(session)
          identifies.push({ intents: session.intents, sessionId: session.id })
          ready(socket, session)
          return
        }
      }
      if (op === GatewayOpcodes.Resume) {
        {
          const session = sessions.find((s) => s.id === d.session_id)
          if (d.token !== state.botToken) {
            socket.close(4004, 'Authentication failed.')
            return
          }
          if (session === undefined) {
            send(socket, { op: GatewayOpcodes.InvalidSession, d: false })
            return
          }
          const from = typeof d.seq === 'number' ? d.seq : 0
          const missed = session.sent.filter((e) => e.s > from)
          resumes.push({ sessionId: session.id, seq: from, replayed: missed.length })
          session.socket = socket
          for (const entry of missed) {
            send(socket, { op: GatewayOpcodes.Dispatch, ...entry })
          }
          session.seq += 1
          session.sent.push({ s: session.seq, t: 'RESUMED', d: {} })
          send(socket, { op: GatewayOpcodes.Dispatch, s: session.seq, t: 'RESUMED', d: {} })
          return
        }
      }
      socket.close(4001, 'Unknown opcode.')
    })
  })

  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://fake.invalid').pathname !== '/gateway') {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })
  return gateway
}
