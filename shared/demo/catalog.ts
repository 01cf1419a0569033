// The demo brand's reference data: a beauty and mother-and-baby brand selling through WeChat.
export const demoCategories = ['护肤', '彩妆', '母婴', '香氛'] as const

/** [category, title, spec, price fen, cost fen, stock] */
export const demoProducts: [string, string, string, number, number, number][] = [
  ['护肤', '玻尿酸保湿精华', '30ml', 26900, 7800, 800],
  ['护肤', '氨基酸洁面乳', '120g', 8900, 2100, 1500],
  ['护肤', '修护面霜', '50g', 32900, 9800, 600],
  ['护肤', '清透防晒乳 SPF50', '50ml', 15900, 4200, 900],
  ['护肤', '补水面膜', '10片装', 12900, 3000, 2000],
  ['彩妆', '丝绒哑光口红', '3.5g', 18900, 4500, 700],
  ['彩妆', '轻薄气垫粉底', '15g', 25900, 7000, 500],
  ['彩妆', '九色眼影盘', '9色', 22900, 6000, 400],
  ['彩妆', '纤长睫毛膏', '8g', 13900, 3200, 650],
  ['母婴', '孕妇专用护肤套装', '4件套', 39900, 14000, 300],
  ['母婴', '婴儿润肤乳', '200ml', 9900, 2600, 1200],
  ['母婴', '妈咪抚纹霜', '100g', 29900, 8800, 450],
  ['香氛', '白茶淡香水', '50ml', 45900, 12000, 260],
  ['香氛', '香薰蜡烛', '200g', 16900, 4000, 500],
  ['香氛', '护手霜礼盒', '3支装', 9900, 2500, 1000],
]

export const demoAccounts: [string, string][] = [
  ['advisor-xiaomei', '小美 · 专属顾问'],
  ['advisor-xiaoya', '小雅 · 专属顾问'],
  ['advisor-xiaonuo', '小诺 · 专属顾问'],
]

/** [ladder code, name, kind, basis, levels: [code, name, rank, fee fen, threshold, multiplier %]] */
export const demoLadders: [
  string,
  string,
  'vertical' | 'horizontal',
  'paid' | 'spend' | 'eligibility',
  [string, string, number, number, number, number][],
][] = [
  [
    'vip',
    '付费会员',
    'vertical',
    'paid',
    [
      ['V1', 'V1 会员', 1, 9900, 0, 120],
      ['V2', 'V2 会员', 2, 19900, 1_000_000, 150],
      ['V3', 'V3 会员', 3, 29900, 3_000_000, 200],
    ],
  ],
  [
    'spend',
    '成长等级',
    'vertical',
    'spend',
    [
      ['normal', '普通会员', 1, 0, 0, 100],
      ['silver', '银卡会员', 2, 0, 100_000, 110],
      ['gold', '金卡会员', 3, 0, 300_000, 125],
      ['black', '黑金会员', 4, 0, 800_000, 150],
    ],
  ],
  ['maternity', '孕妈卡', 'horizontal', 'eligibility', [['mom', '孕妈卡', 1, 0, 0, 110]]],
]

/** [dimension code, name, multiple, tags] */
export const demoTagDimensions: [string, string, boolean, string[]][] = [
  ['skin_type', '肤质', false, ['干性', '油性', '混合性', '敏感肌']],
  ['interest', '兴趣', true, ['抗老', '美白', '彩妆', '母婴', '香氛']],
  ['channel', '来源渠道', false, ['门店', '小程序', '朋友推荐', '社群']],
]

export const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
export const givenNames = [
  '丽',
  '静',
  '敏',
  '婷',
  '雪',
  '琳',
  '晶',
  '洁',
  '颖',
  '慧',
  '佳怡',
  '子涵',
  '欣然',
  '雨桐',
  '思琪',
  '梦瑶',
  '诗涵',
  '可欣',
  '晓彤',
  '雅琴',
  '秀英',
  '桂芳',
  '玉兰',
  '海燕',
  '伟',
  '强',
  '磊',
  '洋',
  '勇',
  '军',
  '杰',
  '涛',
  '明',
  '超',
  '浩然',
  '宇轩',
  '子墨',
  '三寿',
  '晏涛',
]
export const cities = [
  '上海',
  '北京',
  '杭州',
  '深圳',
  '广州',
  '成都',
  '南京',
  '苏州',
  '武汉',
  '重庆',
  '西安',
  '长沙',
  '厦门',
  '青岛',
]
export const occupations = [
  '教师',
  '设计师',
  '护士',
  '程序员',
  '会计',
  '全职妈妈',
  '销售',
  '公务员',
  '学生',
  '自由职业',
]
