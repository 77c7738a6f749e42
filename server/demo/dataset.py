"""The demo data set: real GB/T 2260 division codes (township codes are the first nine digits
of the statistical division code), education bodies named as such bodies are named, grouped
into communities that follow the regulation (Art. 9-11, 14).

Its dates are counted back from the day it is loaded, so its story stays true whenever it is
loaded: every community keeps the regulation but for four deliberate lapses for the audits
to find, named by the fields of `DemoCommunity` below."""

from dataclasses import dataclass

from server.vocabulary import ActivityKind, Level, Region, Theme

P, F, C, T = Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP


@dataclass(frozen=True)
class DemoUnit:
    name: str
    level: Level
    division_code: str
    address: str
    responsible_person: str


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    name: str
    region: Region
    level: Level
    themes: tuple[Theme, ...]
    months_in: int  # its cycle began on the first of the month this many months ago
    leader: str
    deputies: tuple[str, ...]
    members: tuple[str, ...]
    # The deliberate lapses. A member that misses two activities in a row and so leaves
    # (Art. 8(2), 12):
    absentee: str | None = None
    # A kind of activity held once too few last year (Art. 16(3), 16(12)):
    short_of: ActivityKind | None = None
    # Its latest semi-annual report to the experts is not in (Art. 18(4)):
    misses_semi_annual: bool = False
    # A year into its cycle, its joint research sub-topic still awaits the project group's
    # review, so none is approved (Art. 16(7)):
    research_awaits_review: bool = False
    # Assigned to the demo's expert, who reviews its semi-annual reports (Art. 17(5)):
    expert_assigned: bool = False


UNITS: tuple[DemoUnit, ...] = (
    # 长三角 · 省级
    DemoUnit("上海市学习型社会建设服务指导中心", P, "310000", "上海市徐汇区番禺路 1 号", "陈敏"),
    DemoUnit("江苏省终身教育研究院", P, "320000", "南京市鼓楼区北京西路 15 号", "周建华"),
    DemoUnit("浙江省终身教育指导中心", P, "330000", "杭州市西湖区文三路 2 号", "吴晓燕"),
    DemoUnit("安徽省社区教育指导中心", P, "340000", "合肥市蜀山区黄山路 601 号", "许振东"),
    # 长三角 · 区县级
    DemoUnit("上海市闵行区社区学院", C, "310112", "上海市闵行区莘庄镇沁春路 28 号", "张丽华"),
    DemoUnit("上海市浦东新区社区学院", C, "310115", "上海市浦东新区浦东大道 1200 号", "顾国强"),
    DemoUnit("苏州市吴中区社区培训学院", C, "320506", "苏州市吴中区东吴北路 98 号", "沈文娟"),
    DemoUnit("杭州市西湖区社区学院", C, "330106", "杭州市西湖区教工路 18 号", "王海涛"),
    DemoUnit("杭州市余杭区社区学院", C, "330110", "杭州市余杭区临平大道 300 号", "朱卫红"),
    DemoUnit("南京市鼓楼区社区教育学院", C, "320106", "南京市鼓楼区中央路 258 号", "刘志强"),
    DemoUnit("合肥市蜀山区社区教育学院", C, "340104", "合肥市蜀山区长江西路 329 号", "程丽"),
    DemoUnit("宁波市鄞州区社区学院", C, "330212", "宁波市鄞州区天童南路 588 号", "胡建平"),
    DemoUnit("无锡市新吴区社区教育中心", C, "320214", "无锡市新吴区长江路 7 号", "钱晓东"),
    # 成渝 · 区县级
    DemoUnit("成都市锦江区社区教育学院", C, "510104", "成都市锦江区东大街 99 号", "李红梅"),
    DemoUnit("重庆市渝中区社区教育学院", C, "500103", "重庆市渝中区中山三路 131 号", "杨勇"),
    DemoUnit("成都市武侯区社区教育学院", C, "510107", "成都市武侯区高升桥路 2 号", "邓晓琳"),
    DemoUnit("重庆市沙坪坝区社区教育学院", C, "500106", "重庆市沙坪坝区小龙坎正街 20 号", "何伟"),
    DemoUnit("成都市成华区社区教育学院", C, "510108", "成都市成华区建设路 55 号", "罗静"),
    DemoUnit("重庆市江北区社区教育学院", C, "500105", "重庆市江北区洋河路 4 号", "唐建国"),
    DemoUnit(
        "成都市龙泉驿区社区教育学院", C, "510112", "成都市龙泉驿区龙泉街道驿都大道 1 号", "蒋丽"
    ),
    # 京津冀 · 地市级
    DemoUnit("石家庄市社区教育学院", F, "130100", "石家庄市长安区中山东路 39 号", "赵立新"),
    DemoUnit("唐山市社区大学", F, "130200", "唐山市路北区建设北路 102 号", "孙凤霞"),
    DemoUnit("保定市社区教育学院", F, "130600", "保定市竞秀区东风中路 1 号", "高振宇"),
    DemoUnit("廊坊市社区大学", F, "131000", "廊坊市广阳区新华路 100 号", "马俊"),
    DemoUnit("青岛市社区大学", F, "370200", "青岛市市北区登州路 88 号", "王振华"),
    # 珠三角 · 街镇级
    DemoUnit(
        "广州市天河区石牌街道社区教育学校", T, "440106008", "广州市天河区石牌东路 60 号", "黄志明"
    ),
    DemoUnit("广州市越秀区北京街道社区学校", T, "440104010", "广州市越秀区北京路 298 号", "梁碧霞"),
    DemoUnit(
        "深圳市南山区粤海街道社区教育学校", T, "440305005", "深圳市南山区科苑路 8 号", "陈志坚"
    ),
    DemoUnit(
        "佛山市禅城区南庄镇成人文化技术学校",
        T,
        "440604100",
        "佛山市禅城区南庄镇南庄大道 12 号",
        "冯少华",
    ),
    DemoUnit(
        "东莞市东城街道社区教育中心", T, "441900003", "东莞市东城街道东城中路 63 号", "叶晓峰"
    ),
    DemoUnit(
        "佛山市顺德区北滘镇成人文化技术学校",
        T,
        "440606101",
        "佛山市顺德区北滘镇跃进路 5 号",
        "潘健",
    ),
    # 西北 · 区县级
    DemoUnit("西安市雁塔区社区教育学院", C, "610113", "西安市雁塔区小寨东路 126 号", "贾卫东"),
    DemoUnit("兰州市城关区社区教育学院", C, "620102", "兰州市城关区庆阳路 1 号", "马文静"),
    DemoUnit("银川市兴庆区社区教育学院", C, "640104", "银川市兴庆区解放西街 2 号", "丁海燕"),
    # 华中 · 地市级
    DemoUnit("武汉市社区大学", F, "420100", "武汉市江汉区新华路 7 号", "熊振华"),
    DemoUnit("长沙市社区大学", F, "430100", "长沙市芙蓉区五一大道 389 号", "彭丽君"),
    DemoUnit("郑州市社区教育学院", F, "410100", "郑州市金水区花园路 15 号", "郭建军"),
    DemoUnit("南昌市社区大学", F, "360100", "南昌市东湖区八一大道 2 号", "万小平"),
    DemoUnit("太原市社区教育学院", F, "140100", "太原市杏花岭区府西街 69 号", "阎红"),
    DemoUnit("宜昌市社区大学", F, "420500", "宜昌市西陵区沿江大道 52 号", "向东"),
    DemoUnit("襄阳市社区教育学院", F, "420600", "襄阳市樊城区长虹路 1 号", "谢敏"),
    DemoUnit("株洲市社区大学", F, "430200", "株洲市天元区黄河北路 2 号", "易新华"),
    DemoUnit("湘潭市社区教育学院", F, "430300", "湘潭市岳塘区建设北路 1 号", "曾志刚"),
    DemoUnit("洛阳市社区大学", F, "410300", "洛阳市洛龙区开元大道 218 号", "牛丽娟"),
    DemoUnit("九江市社区大学", F, "360400", "九江市濂溪区长虹大道 1 号", "汪建新"),
    DemoUnit("新乡市社区教育学院", F, "410700", "新乡市红旗区人民东路 198 号", "范继红"),
    # 东北 · 区县级
    DemoUnit("沈阳市和平区社区学院", C, "210102", "沈阳市和平区南京南街 1 号", "于洪涛"),
    DemoUnit("长春市南关区社区教育学院", C, "220102", "长春市南关区人民大街 3 号", "姜丽萍"),
    DemoUnit("哈尔滨市南岗区社区学院", C, "230103", "哈尔滨市南岗区红军街 15 号", "曲国庆"),
    DemoUnit("大连市中山区社区学院", C, "210202", "大连市中山区人民路 9 号", "吕晓东"),
    DemoUnit("呼和浩特市新城区社区教育学院", C, "150102", "呼和浩特市新城区新华大街 1 号", "乌兰"),
    # 已授牌、尚未组合共同体的实验点
    DemoUnit("昆明市五华区社区教育学院", C, "530102", "昆明市五华区人民中路 20 号", "段丽芬"),
    DemoUnit("贵阳市南明区社区学院", C, "520102", "贵阳市南明区中华南路 3 号", "龙建平"),
    DemoUnit("南宁市社区大学", F, "450100", "南宁市青秀区民族大道 100 号", "韦海燕"),
    DemoUnit("福州市社区大学", F, "350100", "福州市鼓楼区五四路 158 号", "林志勇"),
    DemoUnit("北京市朝阳区社区学院", C, "110105", "北京市朝阳区朝外大街 16 号", "刘建华"),
    DemoUnit("天津市和平区社区学院", C, "120101", "天津市和平区南京路 219 号", "韩雪"),
)

COMMUNITIES: tuple[DemoCommunity, ...] = (
    DemoCommunity(
        slug="yrd-county-elderly",
        name="长三角区县老年教育发展共同体",
        region=Region.YANGTZE_RIVER_DELTA,
        level=C,
        themes=(Theme.ELDERLY_EDUCATION, Theme.INTERNET_PLUS),
        months_in=21,
        leader="310112",
        deputies=("310115", "320506"),
        members=("330106", "330110", "320106", "340104", "330212", "320214"),
        absentee="320214",
        expert_assigned=True,
    ),
    DemoCommunity(
        slug="yrd-province-lifelong",
        name="长三角省级终身教育协同发展共同体",
        region=Region.YANGTZE_RIVER_DELTA,
        level=P,
        themes=(Theme.LEARNING_COMMUNITY,),
        months_in=23,
        leader="310000",
        deputies=("320000",),
        members=("330000", "340000"),
    ),
    DemoCommunity(
        slug="chengyu-county-governance",
        name="成渝地区社区教育融入基层治理共同体",
        region=Region.CHENGDU_CHONGQING,
        level=C,
        themes=(Theme.COMMUNITY_GOVERNANCE, Theme.FAMILY_EDUCATION),
        months_in=15,
        leader="510104",
        deputies=("500103",),
        members=("510107", "500106", "510108", "500105", "510112"),
        misses_semi_annual=True,
        expert_assigned=True,
    ),
    DemoCommunity(
        slug="jjj-city-economy",
        name="京津冀及环渤海地市社区教育助力区域经济共同体",
        region=Region.BEIJING_TIANJIN_HEBEI,
        level=F,
        themes=(Theme.REGIONAL_ECONOMY,),
        months_in=20,
        leader="130100",
        deputies=("130200",),
        members=("130600", "131000", "370200"),
        short_of=ActivityKind.CITIZEN_LEARNING,
    ),
    DemoCommunity(
        slug="prd-township-learning",
        name="珠三角街镇学习共同体",
        region=Region.PEARL_RIVER_DELTA,
        level=T,
        themes=(Theme.LEARNING_COMMUNITY, Theme.RURAL_REVITALISATION),
        months_in=18,
        leader="440106008",
        deputies=("440104010", "440305005"),
        members=("440604100", "441900003", "440606101"),
        expert_assigned=True,
    ),
    DemoCommunity(
        slug="northwest-county-rural",
        name="西北区县社区教育助力乡村振兴共同体",
        region=Region.NORTHWEST,
        level=C,
        themes=(Theme.RURAL_REVITALISATION,),
        months_in=9,
        leader="610113",
        deputies=("620102",),
        members=("640104",),
    ),
    DemoCommunity(
        slug="central-city-learning",
        name="华中地市学习型城市建设共同体",
        region=Region.CENTRAL_CHINA,
        level=F,
        themes=(Theme.LEARNING_COMMUNITY, Theme.ELDERLY_EDUCATION),
        months_in=20,
        leader="420100",
        deputies=("430100", "410100"),
        members=(
            "360100",
            "140100",
            "420500",
            "420600",
            "430200",
            "430300",
            "410300",
            "360400",
            "410700",
        ),
    ),
    DemoCommunity(
        slug="northeast-county-family",
        name="东北区县家庭教育融入社区治理共同体",
        region=Region.NORTHEAST,
        level=C,
        themes=(Theme.FAMILY_EDUCATION,),
        months_in=14,
        research_awaits_review=True,
        leader="210102",
        deputies=("220102",),
        members=("230103", "210202", "150102"),
    ),
)

# Besides each community's leader, the demo signs in a deputy's and a member unit's staff of
# this community (leader, deputy and member see it as the regulation lets each of them).
STAFFED = "yrd-county-elderly"
DEPUTY_UNIT = "310115"
MEMBER_UNIT = "330106"

# A unit applying to this year's call: its application waits for the project group's review.
APPLICANT = DemoUnit("昆明市官渡区社区教育学院", C, "530111", "昆明市官渡区关上中路 8 号", "杨春燕")
