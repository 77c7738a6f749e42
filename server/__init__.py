"""gongxue (共学): the Regional Lifelong Learning Development Community platform."""
