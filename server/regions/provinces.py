"""Provincial-level divisions (GB/T 2260 first two digits) and the provinces each Art. 9
region covers when the platform is first installed. The database holds the living copy
(`provinces`, `region_provinces`); these tables seed it."""

from server.vocabulary import Region

PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"),
    "12": ("天津市", "Tianjin"),
    "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"),
    "15": ("内蒙古自治区", "Inner Mongolia"),
    "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"),
    "23": ("黑龙江省", "Heilongjiang"),
    "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"),
    "33": ("浙江省", "Zhejiang"),
    "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"),
    "36": ("江西省", "Jiangxi"),
    "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"),
    "42": ("湖北省", "Hubei"),
    "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"),
    "45": ("广西壮族自治区", "Guangxi"),
    "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"),
    "51": ("四川省", "Sichuan"),
    "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"),
    "54": ("西藏自治区", "Tibet"),
    "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"),
    "63": ("青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"),
    "71": ("台湾省", "Taiwan"),
    "81": ("香港特别行政区", "Hong Kong"),
    "82": ("澳门特别行政区", "Macao"),
}

REGION_PROVINCES: dict[Region, tuple[str, ...]] = {
    Region.YANGTZE_RIVER_DELTA: ("31", "32", "33", "34"),
    Region.PEARL_RIVER_DELTA: ("44", "35", "46", "71", "81", "82"),
    Region.BEIJING_TIANJIN_HEBEI: ("11", "12", "13", "37"),
    Region.CHENGDU_CHONGQING: ("50", "51"),
    Region.SOUTHWEST: ("45", "52", "53", "54"),
    Region.NORTHWEST: ("61", "62", "63", "64", "65"),
    Region.NORTHEAST: ("21", "22", "23", "15"),
    Region.CENTRAL_CHINA: ("14", "36", "41", "42", "43"),
}


def province_of(division_code: str) -> str:
    """GB/T 2260: the first two digits of any division code name its province."""
    return division_code[:2]
