"""Round specs for the ballot's page tests: any number of subjects, any scale,
optionally several criteria with descriptions (what a plugin's criteria set
supplies)."""

from __future__ import annotations

FOUR_GRADES = [("excellent", "优秀", 100), ("qualified", "合格", 80), ("basic", "基本合格", 60),
               ("unqualified", "不合格", 0)]
FIVE_GRADES = [*FOUR_GRADES, ("unknown", "不了解", None)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["建国", "丽华", "志强", "秀英", "海涛", "晓燕", "文博", "春梅", "国庆", "红霞"]
UNITS = ["工程技术党支部", "生产运行第一党支部", "机关综合党支部"]
CRITERIA = [
    ("political", "政治素质优", "理想信念坚定，对党忠诚，严守政治纪律和政治规矩。"),
    ("skill", "岗位技能优", "熟练掌握本岗位知识和技能，善于学习，能解决工作中的难题。"),
    ("results", "工作业绩优", "完成任务好，工作有成效，在急难险重任务中发挥作用。"),
]


def subject_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 3) % len(GIVEN)]


def ballot_spec(subjects: int = 12, *, options=FIVE_GRADES, criteria: bool = False,
                access: str = "codes", groups: int = 1, rules: str = "") -> str:
    option_lines = ",\n".join(
        f'  {{ key = "{k}", label = "{label}"'
        + ("" if points is None else f", points = {points}") + " }"
        for k, label, points in options)
    parts = [f'title = "2026年度民主评议党员（第一党总支）"\naccess = "{access}"\n'
             f"anonymity_min = 2\n\n[scale]\noptions = [\n{option_lines},\n]\n"]
    if criteria:
        parts += [f'[[criteria]]\nkey = "{k}"\nlabel = "{label}"\ndescription = "{text}"\n'
                  for k, label, text in CRITERIA]
    parts += [f'[[groups]]\nkey = "g{i}"\nlabel = "{label}"\nweight = 1\n'
              for i, label in enumerate(["党员互评", "群众评议", "班子成员"][:groups])]
    parts += [f'[[subjects]]\nkey = "s{i}"\nname = "{subject_name(i)}"\nunit = "{UNITS[i % 3]}"\n'
              for i in range(subjects)]
    if rules:
        parts.append(f"[rules]\n{rules}\n")
    return "\n".join(parts)
