"""Signing in through an organisation's connected Feishu, DingTalk or WeCom app.

allauth's ``feishu`` and ``dingtalk`` providers, and a WeCom provider on its OAuth2
base, each for many apps at once: an app is known to allauth as ``<service><pk>``
(``ConnectedApp.provider_id``) under ``/accounts/chat/<provider id>/login/``, the way
its ``openid_connect`` provider knows an organisation's identity provider. The
services' addresses are settings, so tests point them at loopback.

Feishu / Lark (``DIRECT_FEISHU_API``; answers carry ``code``, 0 for success)
    browser: GET /open-apis/authen/v1/index?app_id=&redirect_uri=&state=  -> ?code=
    POST /open-apis/auth/v3/app_access_token/internal  {"app_id", "app_secret"}
        -> {"app_access_token", "expire"}
    POST /open-apis/authen/v1/access_token  {"grant_type", "code", "app_access_token"}
        -> {"data": {"access_token", "expires_in", ...}}  (20007 or 1007: the code is
        used or too old)
    GET /open-apis/authen/v1/user_info  (Bearer: the person's token)
        -> {"data": {"open_id", "name", "email", "enterprise_email", "mobile", ...}}
    The person's ``open_id`` in the app is the id its messages go to.

DingTalk (``SIGN_IN_DINGTALK_LOGIN``, ``SIGN_IN_DINGTALK_API``; DIRECT_DINGTALK_API)
    browser: GET login.dingtalk.com/oauth2/auth?client_id=&redirect_uri=&scope=openid
        corpid&response_type=code&state=&prompt=consent  -> ?authCode=
    POST api.dingtalk.com/v1.0/oauth2/userAccessToken  {"clientId", "clientSecret",
        "code", "grantType"} -> {"accessToken", "refreshToken", "expireIn", "corpId"}
        (errors: HTTP 400 with {"code": "...", "message"})
    GET api.dingtalk.com/v1.0/contact/users/me  (x-acs-dingtalk-access-token)
        -> {"nick", "unionId", "openId", "mobile", "email", "stateCode"}
    POST oapi.dingtalk.com/topapi/user/getbyunionid?access_token=  {"unionid"}
        -> {"result": {"userid"}}: the id work notifications go to (60121: not found).
    ``corpId`` must be the app's corp ID when one is set.

WeCom (``SIGN_IN_WECOM_LOGIN``; DIRECT_WECOM_API; answers carry ``errcode``)
    browser: GET login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=
        <corp id>&agentid=&redirect_uri=&state=  -> ?code=
    GET /cgi-bin/gettoken?corpid=&corpsecret=  the app's token (direct.access_token)
    GET /cgi-bin/auth/getuserinfo?access_token=&code=  -> {"userid", "user_ticket"}
        (40029: the code is not good; an ``openid`` instead: not of the company)
    GET /cgi-bin/user/get?access_token=&userid=  -> {"name", ...}
    POST /cgi-bin/auth/getuserdetail?access_token=  {"user_ticket"}
        -> {"email", "biz_mail", "mobile"}  (when the sign-in may see them)
    The ``userid`` is the id its application messages go to.

The company's own directory vouches for the addresses these apps give, so they count
as verified; ``opsboard.tenancy.single_sign_on`` then applies the joining rules of the
app (``ConnectedApp`` is ``JoiningRules``), as for an identity provider.
"""
