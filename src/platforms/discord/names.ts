/** The platform's name: the prefix of its action types (`discord.postMessage`) and its accounts. */
export const discordPlatformName = 'discord'
