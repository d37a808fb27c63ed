// System notices (messages of kind `event`, docs/PROTOCOL.md 4.1) in the
// reader's language: life-cycle changes and the away notice. The server
// stores what changed, who was involved and when support is back
// (`message.event`); the words are chosen here, for the widget (the
// customer's language) and the console (the agent's), and the time is shown
// in the reader's locale and time zone. Notices stored before `event`
// existed carry only their English body: it is read back into the same
// structure, so old history renders like new.

const en = {
  anAgent: 'An agent',
  customer: 'The customer',
  assistant: 'The assistant',
  waiting: 'Waiting for an agent to join.',
  joined: (who) => `${who} joined the conversation.`,
  assigned: (by, who) => `${by} assigned the conversation to ${who}.`,
  transferred: (who) => `The conversation was transferred to ${who}.`,
  transferredBy: (by, who) => `${by} transferred the conversation to ${who}.`,
  handBack: 'The assistant is answering again.',
  closed: 'The conversation was closed.',
  closedBy: (by) => `${by} closed the conversation.`,
  reopened: (who) => `${who} reopened the conversation.`,
  opened: 'The conversation was opened.',
  snoozed: 'The conversation was snoozed.',
  unsnoozed: 'The conversation is back from a snooze.',
  rated: 'The customer rated the conversation.',
  leftMessage: (when) => `Thanks, we have your message and your e-mail address. Nobody can answer right now.${when ? ` We are back on ${when}.` : ''} An agent will reply here as soon as possible.`,
};

const zh = {
  anAgent: '客服',
  customer: '客户',
  assistant: '智能助手',
  waiting: '正在等待客服接入。',
  joined: (who) => `${who} 已加入对话。`,
  assigned: (by, who) => `${by} 将对话分配给了 ${who}。`,
  transferred: (who) => `对话已转接给 ${who}。`,
  transferredBy: (by, who) => `${by} 将对话转接给了 ${who}。`,
  handBack: '智能助手继续为您服务。',
  closed: '对话已结束。',
  closedBy: (by) => `${by} 结束了对话。`,
  reopened: (who) => `${who} 重新打开了对话。`,
  opened: '对话已开始。',
  snoozed: '对话已暂缓。',
  unsnoozed: '对话已恢复。',
  rated: '客户已为对话评分。',
  leftMessage: (when) => `感谢留言，我们已收到您的消息和邮箱地址。目前暂无客服在线${when ? `，我们将于 ${when} 回来` : ''}。客服会尽快在此回复您。`,
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// The away notice's English body: "… right now: We are back on Mon 14 Dec
// 2026 at 08:00 (UTC). An agent …" (the time only while hours are on).
const AWAY = /^Thanks, we have your message and your e-mail address\. Nobody can answer right now:(?: We are back on \w+ (\d{1,2}) (\w{3}) (\d{4}) at (\d{2}):(\d{2}) \(UTC\)\.)? An agent will reply here as soon as possible\.$/;

/** An instant (RFC 3339) as a date and time in `lang` and the reader's time zone; '' when unreadable. */
function when(iso, lang) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const style = { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' };
  try {
    return d.toLocaleString(lang || [], style);
  } catch {
    return d.toLocaleString([], style); // a language tag the browser does not know
  }
}

/** The structure of an English notice body stored before `event` existed. */
export function parseLegacy(body) {
  const agent = (name) => ({ kind: 'agent', name: name === 'An agent' ? undefined : name });
  let m;
  if (body === 'Waiting for an agent to join.') return { change: 'request_human' };
  if ((m = /^(.+) joined the conversation\.$/.exec(body))) return { change: 'accept', to: agent(m[1]) };
  if ((m = /^The conversation was transferred to (.+)\.$/.exec(body))) return { change: 'transfer', to: agent(m[1]) };
  if ((m = /^(.+) reopened the conversation\.$/.exec(body))) return { change: 'reopen', to: agent(m[1]) };
  if (body === 'The assistant is answering again.') return { change: 'hand_back' };
  if (body === 'The conversation was closed.') return { change: 'close' };
  if ((m = AWAY.exec(body))) {
    const month = MONTHS.indexOf(m[2]);
    const at = m[1] && month >= 0 ? new Date(Date.UTC(+m[3], month, +m[1], +m[4], +m[5])).toISOString() : undefined;
    return { change: 'left_message', next_opening: at };
  }
  return null;
}

/**
 * A notice message in `lang` (`zh…` is Chinese, anything else English).
 * `staff` adds who did it where a customer need not know (who assigned,
 * transferred or closed). Returns `{ text, agent }`: `agent` is the name of
 * the agent now serving the customer (`null` when it is unknown or the
 * assistant answers again, `undefined` when the notice does not change it).
 */
export function notice(m, lang, { staff = false } = {}) {
  const e = m.event || parseLegacy(m.body);
  if (!e) return { text: m.body };
  const w = String(lang || '').toLowerCase().startsWith('zh') ? zh : en;
  const name = e.to?.name || null;
  const to = name || w.anAgent;
  // Who did it, when worth naming: a named staff member, else the customer.
  const by = e.actor?.name || (e.actor?.kind === 'customer' ? w.customer : null);
  const other = staff && by && e.actor?.id !== e.to?.id;
  switch (e.change) {
    case 'request_human': return { text: w.waiting };
    case 'accept': case 'takeover': return { text: w.joined(to), agent: name };
    case 'assign': return { text: other ? w.assigned(by, to) : w.joined(to), agent: name };
    case 'transfer': return { text: other ? w.transferredBy(by, to) : w.transferred(to), agent: name };
    case 'hand_back': return { text: w.handBack, agent: null };
    case 'close': return { text: staff && by ? w.closedBy(by) : w.closed };
    case 'reopen': return { text: w.reopened(to), agent: name };
    case 'opened': return { text: w.opened };
    case 'snooze': return { text: w.snoozed };
    case 'unsnooze': return { text: w.unsnoozed };
    case 'rated': return { text: w.rated };
    // The date in the words' language (an English sentence keeps an English
    // date), in the reader's regional form when it has one (en-GB, zh-TW).
    case 'left_message': return { text: w.leftMessage(when(e.next_opening, w === zh || /^en\b/i.test(lang) ? lang : 'en')) };
    default: return { text: m.body };
  }
}
