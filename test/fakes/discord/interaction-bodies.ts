import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord-api-types/v10'
import type {
  APIChatInputApplicationCommandGuildInteraction,
  APIInteractionGuildMember,
  APIMessage,
  APIMessageComponentButtonInteraction,
  APIPingInteraction,
} from 'discord-api-types/v10'
import type { FakeChannel, FakeMember } from './guild.ts'
import { memberPermissions } from './guild.ts'
import { memberJson } from './shapes.ts'
import type { FakeState } from './state.ts'

/**
 * Interaction bodies as Discord sends them, typed by `discord-api-types` (the reference for what
 * the REST spec leaves out), so the compiler holds the fake to Discord's shape.
 */
function base(state: FakeState, channel: FakeChannel) {
  return {
    id: state.ids.next(),
    application_id: state.applicationId,
    token: state.ids.token(),
    version: 1 as const,
    app_permissions: memberPermissions(state.guild, state.bot.id).toString(),
    locale: Locale.EnglishUS,
    guild_locale: Locale.EnglishUS,
    entitlements: [],
    authorizing_integration_owners: { '0': state.guild.id },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
    guild_id: state.guild.id,
    guild: { id: state.guild.id, locale: Locale.EnglishUS, features: [] },
    channel_id: channel.id,
    channel: { id: channel.id, type: ChannelType.GuildText as const, name: channel.name },
  }
}

function interactionMember(state: FakeState, member: FakeMember): APIInteractionGuildMember {
  const json = memberJson(member) as unknown as Omit<APIInteractionGuildMember, 'permissions'>
  return { ...json, permissions: memberPermissions(state.guild, member.user.id).toString() }
}

export function pingBody(state: FakeState): APIPingInteraction {
  const { id, application_id, token, version, app_permissions, entitlements, authorizing_integration_owners } = base(
    state,
    { id: '0', type: 0, name: '', guildId: null, position: 0, recipients: [], messages: [] },
  )
  return {
    id,
    application_id,
    type: InteractionType.Ping,
    token,
    version,
    app_permissions,
    entitlements,
    authorizing_integration_owners,
    attachment_size_limit: 10_485_760,
  }
}

export function slashCommandBody(
  state: FakeState,
  member: FakeMember,
  channel: FakeChannel,
  command: { id: string; name: string },
  text: string,
): APIChatInputApplicationCommandGuildInteraction {
  return {
    ...base(state, channel),
    type: InteractionType.ApplicationCommand,
    member: interactionMember(state, member),
    data: {
      id: command.id,
      name: command.name,
      type: ApplicationCommandType.ChatInput,
      guild_id: state.guild.id,
      options: [{ name: 'text', type: ApplicationCommandOptionType.String, value: text }],
    },
  }
}

export function buttonBody(
  state: FakeState,
  member: FakeMember,
  channel: FakeChannel,
  message: APIMessage,
  customId: string,
): APIMessageComponentButtonInteraction {
  return {
    ...base(state, channel),
    type: InteractionType.MessageComponent,
    member: interactionMember(state, member),
    message,
    data: { custom_id: customId, component_type: ComponentType.Button },
  }
}
