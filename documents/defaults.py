"""The default text of every kind of document, loaded by a data migration and restorable from the admin.

Style follows the papers 信访 offices send under the 2022《信访工作条例》: title, 文号 (added by the
system under the title), addressee, body, and the issuing office and date at the bottom right.
Articles cited: 31 (legal channels), 32 (contents of a 信访处理意见书 and the three opinions),
34 (extension), 35 (复查), 36 (复核, and no new acceptance on the same facts).
"""

from __future__ import annotations

from documents.choices import DocumentKind

SIGNATURE = '[居右]{{ office_name }}\n{{ today|date:"Y年n月j日" }}'
RECEIVED = '{{ petition.received_at|date:"Y年n月j日" }}'
MATTER = "“{{ petition.title }}”信访事项（事项编号：{{ petition.number }}）"
QUERY = ("你（们）可凭查询码 {{ petition.query_code }} 通过网上信访平台或者到本机关查询该事项的办理进展和结果。")
COMPLAINT = "{{ complaint|default:petition.demands|default:petition.content }}"

DEFAULTS: dict[str, tuple[str, str, str]] = {
    DocumentKind.ACCEPTANCE_NOTICE: ("受理告知书（默认）", "信访事项受理告知书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）于{RECEIVED}反映的{MATTER}已收悉。根据《信访工作条例》有关规定，经审查，该事项属于本机关职权范围，本机关决定予以受理{{% if handling_unit %}}，由{{{{ handling_unit }}}}具体承办{{% endif %}}。

本机关将依法调查核实，{{% if due_date %}}于{{{{ due_date|date:"Y年n月j日" }}}}前{{% else %}}自受理之日起60日内{{% endif %}}提出处理意见，并书面答复你（们）。办理期间，请你（们）如实反映情况、配合调查核实，依法、有序、理性表达诉求。

{QUERY}

特此告知。

{SIGNATURE}
"""),
    DocumentKind.DECLINE_NOTICE: ("不予受理告知书（默认）", "信访事项不予受理告知书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）于{RECEIVED}反映的{MATTER}已收悉。经审查，{{% if reasons %}}{{{{ reasons|sentence }}}}{{% else %}}该事项不属于信访事项受理范围{{% endif %}}。根据{{% if legal_basis %}}{{{{ legal_basis|sentence }}}}{{% else %}}《信访工作条例》有关规定{{% endif %}}，本机关决定不予受理。

如你（们）对所反映的问题仍有诉求，可以依法向有权处理的机关、单位提出。

{QUERY}

特此告知。

{SIGNATURE}
"""),
    DocumentKind.ROUTE_NOTICE: ("导入法定途径告知书（默认）", "信访事项告知书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）于{RECEIVED}反映的{MATTER}已收悉。经审查，{{% if reasons %}}{{{{ reasons|sentence }}}}，{{% endif %}}你（们）反映的事项依法应当通过{{{{ legal_channel|default:"诉讼、仲裁、行政复议等" }}}}法定途径解决。根据《信访工作条例》第三十一条{{% if legal_basis %}}和{{{{ legal_basis|sentence }}}}{{% endif %}}的规定，本机关不再按照信访程序办理。

请你（们）依照有关法律、法规的规定，{{% if route_body %}}向{{{{ route_body }}}}{{% else %}}向有权处理的机关{{% endif %}}主张权利。法律、法规对提出请求的期限有规定的，请在规定期限内提出，以免影响你（们）的合法权益。

{QUERY}

特此告知。

{SIGNATURE}
"""),
    DocumentKind.TRANSFER_SLIP: ("转送单（默认）", "信访事项转送单", f"""\
[顶格]{{{{ handling_unit|default:"有关单位" }}}}：

现将{{{{ petitioner_name }}}}于{RECEIVED}反映的{MATTER}转送你单位。根据《信访工作条例》有关规定，请你单位{{% if due_date %}}于{{{{ due_date|date:"Y年n月j日" }}}}前{{% else %}}自收到之日起15日内{{% endif %}}决定是否受理并书面告知信访人，依法依规办理并按期答复。如认为该事项不属于你单位职权范围，请自收到之日起5个工作日内向本机关提出异议并说明理由。

[顶格]主要内容：{{{{ petition.content }}}}

{{% if petition.demands %}}[顶格]信访诉求：{{{{ petition.demands }}}}{{% endif %}}

{{% if note %}}[顶格]转送意见：{{{{ note }}}}{{% endif %}}

{SIGNATURE}
"""),
    DocumentKind.ASSIGNMENT_SLIP: ("交办单（默认）", "信访事项交办单", f"""\
[顶格]{{{{ handling_unit|default:"有关单位" }}}}：

现将{{{{ petitioner_name }}}}于{RECEIVED}反映的{MATTER}交由你单位办理。请你单位认真调查核实，依法依规处理，做好信访人的解释疏导工作，并于{{% if due_date %}}{{{{ due_date|date:"Y年n月j日" }}}}前{{% else %}}规定期限内{{% endif %}}将办理结果书面报送本机关。报结材料应当包括调查核实情况、处理意见、信访处理意见书及送达情况。逾期未报送的，本机关将予以督办。

[顶格]主要内容：{{{{ petition.content }}}}

{{% if petition.demands %}}[顶格]信访诉求：{{{{ petition.demands }}}}{{% endif %}}

{{% if note %}}[顶格]交办意见：{{{{ note }}}}{{% endif %}}

{SIGNATURE}
"""),
    DocumentKind.EXTENSION_NOTICE: ("延期告知书（默认）", "信访事项延期办理告知书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）反映的{MATTER}，本机关已依法受理。因{{% if reasons %}}{{{{ reasons|sentence }}}}{{% else %}}情况复杂，需要进一步调查核实{{% endif %}}，经本机关负责人批准，根据《信访工作条例》第三十四条的规定，该事项办理期限延长{{{{ extension_days|default:"30" }}}}日{{% if due_date %}}，至{{{{ due_date|date:"Y年n月j日" }}}}{{% endif %}}。本机关将在延长期限内提出处理意见，并书面答复你（们）。

{QUERY}

特此告知。

{SIGNATURE}
"""),
    DocumentKind.REPLY_LETTER: ("信访处理意见书（默认）", "信访处理意见书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）于{RECEIVED}反映的{MATTER}，本机关已依法受理。经调查核实，根据《信访工作条例》第三十二条的规定，现提出处理意见如下：

一、投诉请求

{COMPLAINT}

二、事实和理由

{{{{ facts|default:"经调查核实，情况如下：" }}}}

三、处理意见

{{% if opinion == "支持" %}}你（们）的请求事实清楚，符合法律、法规、规章或者其他有关规定，本机关予以支持。{{% elif opinion == "解释说明" %}}你（们）的请求事由合理，但缺乏法律依据，本机关作如下解释说明。{{% elif opinion == "不予支持" %}}你（们）的请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，本机关不予支持。{{% endif %}}{{{{ opinion_text }}}}

四、法律法规依据

{{{{ legal_basis|default:"《信访工作条例》第三十二条。" }}}}

如你（们）对本处理意见不服，可以自收到本意见书之日起{{{{ review_deadline|default:"30" }}}}日内，向{{{{ review_body|default:"本机关的上一级机关" }}}}书面请求复查。

{QUERY}办结后，你（们）可以对办理结果进行满意度评价。

{SIGNATURE}
"""),
    DocumentKind.REVIEW_DECISION: ("复查意见书（默认）", "信访事项复查意见书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）不服{{{{ original_body|default:"原办理机关" }}}}对{MATTER}作出的信访处理意见，{{% if request_date %}}于{{{{ request_date|date:"Y年n月j日" }}}}{{% endif %}}提出复查请求。本机关依照《信访工作条例》第三十五条的规定进行了复查，现将复查意见告知如下：

一、复查请求

{COMPLAINT}

二、复查认定的事实

{{{{ facts|default:"经复查，查明以下事实：" }}}}

三、复查意见

{{% if outcome %}}{{{{ outcome|sentence }}}}。{{% endif %}}{{{{ opinion_text }}}}

四、法律法规依据

{{{{ legal_basis|default:"《信访工作条例》第三十五条。" }}}}

如你（们）对本复查意见不服，可以自收到本意见书之日起{{{{ review_deadline|default:"30" }}}}日内，向{{{{ review_body|default:"本机关的上一级机关" }}}}书面请求复核。

{QUERY}

{SIGNATURE}
"""),
    DocumentKind.FINAL_REVIEW_DECISION: ("复核意见书（默认）", "信访事项复核意见书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）不服{{{{ original_body|default:"复查机关" }}}}对{MATTER}作出的复查意见，{{% if request_date %}}于{{{{ request_date|date:"Y年n月j日" }}}}{{% endif %}}提出复核请求。本机关依照《信访工作条例》第三十六条的规定进行了复核，现将复核意见告知如下：

一、复核请求

{COMPLAINT}

二、复核认定的事实

{{{{ facts|default:"经复核，查明以下事实：" }}}}

三、复核意见

{{% if outcome %}}{{{{ outcome|sentence }}}}。{{% endif %}}{{{{ opinion_text }}}}

四、法律法规依据

{{{{ legal_basis|default:"《信访工作条例》第三十六条。" }}}}

本复核意见为该信访事项的最终处理意见，该信访事项的信访程序至此终结。根据《信访工作条例》第三十六条的规定，你（们）对本复核意见不服，仍以同一事实和理由提出投诉请求的，各级党委和政府信访部门和其他机关、单位不再受理。

{SIGNATURE}
"""),
    DocumentKind.SUPERVISION_ORDER: ("督办通知（默认）", "信访事项督办通知", f"""\
[顶格]{{{{ handling_unit|default:"有关单位" }}}}：

{{{{ petitioner_name }}}}反映的{MATTER}，{{% if reasons %}}{{{{ reasons|sentence }}}}{{% else %}}已超过规定办理期限仍未办结{{% endif %}}。根据《信访工作条例》有关规定，现予督办。

请你单位高度重视，{{% if requirements %}}{{{{ requirements|sentence }}}}{{% else %}}主要负责同志亲自过问，认真查明情况，依法依规处理，切实维护信访人的合法权益{{% endif %}}，并于{{% if due_date %}}{{{{ due_date|date:"Y年n月j日" }}}}前{{% else %}}收到本通知之日起10日内{{% endif %}}将办理情况书面报告本机关。无正当理由逾期未办理的，本机关将依照有关规定提出责任追究建议。

{SIGNATURE}
"""),
    DocumentKind.OBJECTION_LETTER: ("转送异议函（默认）", "关于信访事项转送异议的函", f"""\
[顶格]{{{{ to_unit|default:"转送机关" }}}}：

{{% if received_on %}}我单位于{{{{ received_on|date:"Y年n月j日" }}}}收到{{% else %}}我单位收到{{% endif %}}你单位转送的{{{{ petitioner_name }}}}反映的{MATTER}。经审查，我单位认为该事项不属于本单位职权范围，理由如下：{{{{ reasons|default:"（请填写异议理由）"|sentence }}}}。

根据《信访工作条例》有关规定，现在规定期限内提出异议，将该事项退回你单位{{% if suggested_unit %}}，建议转送{{{{ suggested_unit }}}}办理{{% endif %}}。请予审核。

{SIGNATURE}
"""),
    DocumentKind.NOT_ACCEPTED_NOTICE: ("不再受理告知书（默认）", "信访事项不再受理告知书", f"""\
[顶格]{{{{ petitioner_name }}}}：

你（们）于{RECEIVED}反映的{MATTER}已收悉。经审查，你（们）此次反映的事项与已经复核终结的信访事项{{% if previous_number %}}（事项编号：{{{{ previous_number }}}}）{{% endif %}}属于同一事实和理由{{% if reasons %}}，{{{{ reasons|sentence }}}}{{% endif %}}。根据《信访工作条例》第三十六条的规定，各级党委和政府信访部门和其他机关、单位不再受理。

请你（们）尊重已经作出的处理意见。如有新的事实和理由，可以依法向有权处理的机关、单位提出。

特此告知。

{SIGNATURE}
"""),
    DocumentKind.GENERIC: ("其他文书（默认）", '{{ doc_title|default:"告知书" }}', f"""\
[顶格]{{{{ addressee|default:petitioner_name }}}}：

{{{{ text }}}}

{SIGNATURE}
"""),
}


def default_for(kind: str) -> tuple[str, str, str]:
    """(name, title, body) of the default template of `kind`."""
    return DEFAULTS[kind]
