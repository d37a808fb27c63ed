// The widget's words in English and Chinese. `pick` chooses from an explicit
// language, else the browser's.

const en = {
  title: 'Chat with us',
  greeting: 'Hi! Ask us anything: our assistant answers at once, and a person is one click away.',
  placeholder: 'Type a message…',
  send: 'Send',
  emoji: 'Insert an emoji',
  attach: 'Attach a file (image, PDF or text)',
  file: { download: 'download', open: 'Open', uploading: 'Uploading', failed: 'Failed', retry: 'Retry', dismiss: 'Dismiss' },
  human: 'Talk to a person',
  close: 'Close chat',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  online: 'Online',
  assistant: 'Assistant',
  you: 'You',
  agent: 'Agent',
  sending: 'sending…',
  failed: 'not sent',
  noConnection: 'no connection',
  retry: 'Retry',
  typing: (who) => `${who} is typing…`,
  queued: (n) => (n ? `You are number ${n} in the queue.` : 'Waiting for a person to join…'),
  chattingWith: (name) => `You are chatting with ${name}`,
  rateTitle: 'How did we do?',
  rate: (n) => `Rate ${n} out of 5`,
  comment: 'Anything to add? (optional)',
  submitRating: 'Send rating',
  thanks: 'Thank you for your feedback!',
  newConversation: 'Start a new conversation',
  error: 'Something went wrong: ',
};

const zh = {
  title: '在线客服',
  greeting: '您好！有什么可以帮您？智能助手会立即回答，也可以随时转人工。',
  placeholder: '输入消息…',
  send: '发送',
  emoji: '插入表情',
  attach: '发送文件（图片、PDF 或文本）',
  file: { download: '下载', open: '打开', uploading: '正在上传', failed: '失败', retry: '重试', dismiss: '移除' },
  human: '转人工客服',
  close: '关闭聊天',
  connecting: '正在连接…',
  reconnecting: '正在重新连接…',
  online: '在线',
  assistant: '智能助手',
  you: '我',
  agent: '客服',
  sending: '发送中…',
  failed: '发送失败',
  noConnection: '网络未连接',
  retry: '重试',
  typing: (who) => `${who}正在输入…`,
  queued: (n) => (n ? `您前面还有 ${n - 1} 位，当前排第 ${n} 位。` : '正在为您转接人工客服…'),
  chattingWith: (name) => `${name} 正在为您服务`,
  rateTitle: '请为本次服务评分',
  rate: (n) => `${n} 分（满分 5 分）`,
  comment: '还有什么想说的吗？（选填）',
  submitRating: '提交评价',
  thanks: '感谢您的评价！',
  newConversation: '开始新的对话',
  error: '出错了：',
};

/** The dictionary for `lang` ("zh", "en", "zh-CN", …), else the browser's language. */
export function pick(lang) {
  const l = (lang || navigator.language || 'en').toLowerCase();
  return l.startsWith('zh') ? { ...zh, lang: 'zh' } : { ...en, lang: 'en' };
}

